import { KEY_MAX_LENGTH, KEY_PATTERN } from './dto/key-store-entry.dto.js';

export type JsonObject = Record<string, unknown>;

/**
 * `patch`'s top-level fields over `stored`'s. Fields are defined, not assigned, so a stored
 * or sent "__proto__" key stays an ordinary data field and never reaches any prototype.
 */
export function shallowMerge(stored: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = {};
  for (const source of [stored, patch]) {
    for (const key of Object.keys(source)) {
      Object.defineProperty(merged, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    }
  }
  return merged;
}

/** Bytes of `data` as stored (UTF-8 JSON), the unit of KEYWARD_KEYSTORE_MAX_DATA_BYTES. */
export function jsonSize(data: JsonObject): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/**
 * Whether an `If-Match` header lets a write to `version` proceed. Accepts `"3"`, `3` and
 * `W/"3"` (clients of the Applivery API send all three), lists of them, and `*`. Absent or
 * empty: no precondition. Anything that names no current version fails, as RFC 9110 asks.
 */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  const tags = (header ?? '').split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
  if (tags.length === 0) return true;
  return tags.some((tag) => {
    if (tag === '*') return true;
    // The version as the ETag writes it: no leading zeros ("06" is another tag than "6").
    const match = /^(?:W\/)?(?:"(0|[1-9]\d{0,9})"|(0|[1-9]\d{0,9}))$/.exec(tag);
    return match !== null && Number(match[1] ?? match[2]) === version;
  });
}

/** The page cursor: the last key of the page, base64url-encoded so clients treat it as opaque. */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

/** The key a cursor stands for, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): string | undefined {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  // Canonical round trip: rejects stray characters and padding variants that decode the same.
  if (encodeCursor(key) !== cursor) return undefined;
  return key.length <= KEY_MAX_LENGTH && KEY_PATTERN.test(key) ? key : undefined;
}

/** `text` as a literal LIKE prefix: `_` (allowed in keys) and `%` are LIKE wildcards. */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, '\\$&')}%`;
}
