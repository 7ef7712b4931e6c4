/**
 * Deepest JSON nesting a request body may have. class-transformer and class-validator walk a
 * body recursively, so a body like `[[[[…]]]]` 10,000 levels deep overflowed the stack there
 * (RangeError → 500). No API of Keyward needs anywhere near this depth.
 */
export const MAX_JSON_DEPTH = 100;

/** A JSON request body that cannot be accepted; toProblem answers it with 400 naming `body`. */
export class JsonBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses a JSON request body. Only an object or an array is a body (a bare string or number
 * is refused, as strict JSON APIs do); an empty body is `{}`. The depth is checked first, in
 * one linear, iterative pass over the bytes counting `{`/`[` outside strings.
 */
export function parseJsonBody(buffer: Buffer): unknown {
  let depth = 0;
  let inString = false;
  let first: number | undefined;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (first === undefined && byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) first = byte;
    if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonBodyError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  if (first === undefined) return {};
  if (first !== 0x7b && first !== 0x5b) throw new JsonBodyError('Malformed JSON');
  let text: string;
  try {
    // Buffer.toString would turn invalid bytes into U+FFFD and store that instead of what was sent.
    text = strictUtf8.decode(buffer);
  } catch {
    throw new JsonBodyError('Body is not valid UTF-8');
  }
  let body: unknown;
  try {
    // JSON.parse defines "__proto__" as an ordinary own property, never as the prototype.
    body = JSON.parse(text);
  } catch {
    // JSON.parse's message can quote the body, which may hold a secret.
    throw new JsonBodyError('Malformed JSON');
  }
  // JSON.parse reads 1e400 as Infinity, which is stored (and answered) as null: refused
  // instead. Only a body with such a literal in it (a 3-digit exponent or 309 digits) is walked.
  if (/[eE]\+?\d{3}|\d{309}/.test(text) && someLeaf(body, (leaf) => typeof leaf === 'number' && !Number.isFinite(leaf))) {
    throw new JsonBodyError('A number in the body is too large to store');
  }
  // A lone surrogate is no text: a text column stored U+FFFD instead, and key-store data would
  // go out as JSON that strict parsers refuse. UTF-8 cannot carry one (the decoder above refuses
  // it), only a \uD800-\uDFFF escape can: only a body with such an escape is walked.
  if (/\\u[dD][89a-fA-F]/.test(text) && someLeaf(body, (leaf) => typeof leaf === 'string' && /\p{Cs}/u.test(leaf))) {
    throw new JsonBodyError('A string in the body holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which is not text');
  }
  return body;
}

/** Whether `test` holds for a value or an object key anywhere in a parsed body. */
function someLeaf(value: unknown, test: (leaf: unknown) => boolean): boolean {
  const pending = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') {
      if (test(next)) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else {
      for (const [key, item] of Object.entries(next)) {
        if (test(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}
