import { randomBytes } from 'node:crypto';

/** Usernames double as OAuth client ids. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
export const USER_ID_PATTERN = /^[a-f0-9]{24}$/;
export const MIN_SECRET_LENGTH = 12;
export const MAX_SECRET_LENGTH = 256;
/**
 * No secret may hold one: scrypt keys PBKDF2-HMAC with the secret, and HMAC pads a short key
 * with zero bytes, so "s" and "s\0" would derive one hash; the others are pasting accidents.
 */
export const SECRET_CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function newUserId(): string {
  return randomBytes(12).toString('hex');
}

/** A generated client secret: 256 bits, URL-safe. */
export function newClientSecret(): string {
  return `kws_${randomBytes(32).toString('base64url')}`;
}
