import { randomBytes } from 'node:crypto';

/** A fresh AES key as the admin API takes it. */
export function aesKeyBase64(bytes = 32): string {
  return randomBytes(bytes).toString('base64');
}

export function isoIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

export const DAY = 24 * 3600_000;
