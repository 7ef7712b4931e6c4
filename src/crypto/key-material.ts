import { createHmac, hkdfSync } from 'node:crypto';

/** Key-ring entries are AES keys: 128, 192 or 256 bits. */
export const AES_KEY_BYTES = [16, 24, 32] as const;

/** Strict base64 (canonical padding, nothing else), or undefined. */
export function decodeStrictBase64(value: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // Re-encoding must give the same text: rejects non-canonical trailing bits.
  return bytes.toString('base64') === value ? bytes : undefined;
}

/** Strict base64 decoding to an AES key length, or undefined. */
export function decodeAesKey(value: string): Buffer | undefined {
  const key = decodeStrictBase64(value);
  return key && (AES_KEY_BYTES as readonly number[]).includes(key.length) ? key : undefined;
}

function derive(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `keyward:${purpose}`, 32));
}

/**
 * The fingerprint key a new key ring starts with. It is kept wrapped in key_ring_master and
 * re-wrapped, not replaced, when the master key rotates: fingerprints stay comparable.
 */
export function initialFingerprintKey(masterKey: Buffer): Buffer {
  return derive(masterKey, 'fingerprint');
}

/**
 * Fingerprints key material with a keyed hash (HMAC-SHA256 under the ring's fingerprint key),
 * identifying it without revealing it: a plain hash of a 128-bit key could be matched by
 * whoever holds the key.
 */
export function keyFingerprinter(fingerprintKey: Buffer): (material: Buffer) => string {
  return (material) => createHmac('sha256', fingerprintKey).update(material).digest('hex');
}

/** Identifies which master key wrapped the key ring, so a wrong KEYWARD_MASTER_KEY is caught at start. */
export function masterKeyId(masterKey: Buffer): string {
  return createHmac('sha256', derive(masterKey, 'master-key-id')).update('keyward').digest('hex').slice(0, 16);
}
