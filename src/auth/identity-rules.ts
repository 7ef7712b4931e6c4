import { randomBytes } from 'node:crypto';

/** Usernames double as OAuth client ids. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
export const USER_ID_PATTERN = /^[a-f0-9]{24}$/;
export const MIN_SECRET_LENGTH = 12;
export const MAX_SECRET_LENGTH = 256;

export function newUserId(): string {
  return randomBytes(12).toString('hex');
}

/** A generated client secret: 256 bits, URL-safe. */
export function newClientSecret(): string {
  return `kws_${randomBytes(32).toString('base64url')}`;
}
