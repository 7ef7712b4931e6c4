import { type CipherGCMTypes, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Layout: version (1) | nonce (12) | ciphertext | tag (16). The version byte leaves room for
// another algorithm without guessing from lengths.
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a ciphertext fails authentication: wrong key, wrong row (AAD) or tampering. */
export class DecryptionError extends Error {
  constructor() {
    super('Ciphertext failed authentication');
    this.name = 'DecryptionError';
  }
}

/**
 * AES-GCM of the key's own size: the master key and generated entries are 256-bit, but an
 * admin may import or generate 128- and 192-bit key-ring entries (SPEC §3), which encrypt too.
 */
function gcmFor(key: Buffer): CipherGCMTypes {
  if (key.length === 16) return 'aes-128-gcm';
  if (key.length === 24) return 'aes-192-gcm';
  if (key.length === 32) return 'aes-256-gcm';
  throw new RangeError(`An AES key is 16, 24 or 32 bytes, not ${key.length}`);
}

/** AES-GCM with a fresh random nonce per value and `aad` bound as associated data. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(gcmFor(key), key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new DecryptionError();
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(gcmFor(key), key, nonce);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}
