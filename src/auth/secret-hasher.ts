import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SECRET_CONTROL_CHARACTER } from './identity-rules.js';

// scrypt N=2^15, r=8, p=1: ~32 MiB and tens of milliseconds per check, on the libuv pool.
const COST = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(secret: string, salt: Buffer, cost: number, blockSize: number, parallelism: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { N: 2 ** cost, r: blockSize, p: parallelism, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

function sha256(secret: string, salt: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/**
 * `scrypt$cost$r$p$salt$hash` for a secret a person chose (it may be guessable, so each guess
 * must be expensive); `sha256$salt$hash` for one Keyward generated (256 random bits: no guess
 * can succeed, and a slow hash would only make every token request slow and memory-hungry).
 * The scheme is stored with the hash, so verification never has to guess it.
 */
export async function hashSecret(secret: string, origin: 'chosen' | 'generated'): Promise<string> {
  const salt = randomBytes(16);
  if (origin === 'generated') return ['sha256', salt.toString('base64'), sha256(secret, salt).toString('base64')].join('$');
  const key = await derive(secret, salt, COST, BLOCK_SIZE, PARALLELISM);
  return ['scrypt', COST, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a secret no one can have chosen, before a hash that would confuse it with another. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (SECRET_CONTROL_CHARACTER.test(secret)) return false;
  const parts = stored.split('$');
  let expected: Buffer;
  let actual: Buffer;
  if (parts[0] === 'sha256' && parts.length === 3) {
    expected = Buffer.from(parts[2], 'base64');
    actual = sha256(secret, Buffer.from(parts[1], 'base64'));
  } else if (parts[0] === 'scrypt' && parts.length === 6) {
    const [, cost, blockSize, parallelism, salt, hash] = parts;
    expected = Buffer.from(hash, 'base64');
    actual = await derive(secret, Buffer.from(salt, 'base64'), Number(cost), Number(blockSize), Number(parallelism));
  } else {
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Unknown client ids are checked against this, like the generated secrets most clients have. */
export const DECOY_SECRET_HASH = await hashSecret(randomBytes(16).toString('hex'), 'generated');
