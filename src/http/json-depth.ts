/**
 * Deepest JSON nesting a request body may have. class-transformer and class-validator walk a
 * body recursively, so a body like `[[[[…]]]]` 10,000 levels deep overflowed the stack there
 * (RangeError → 500). No API of Keyward needs anywhere near this depth.
 */
export const MAX_JSON_DEPTH = 100;

/** Thrown from body-parser's `verify` hook; toProblem answers it with 400. */
export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/**
 * body-parser `verify` hook: one linear pass over the raw bytes, before JSON.parse, counting
 * `{`/`[` outside strings. Iterative, so the check itself cannot overflow.
 */
export function rejectDeepJson(_req: unknown, _res: unknown, buffer: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonTooDeepError();
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
}
