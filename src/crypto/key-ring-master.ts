import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../http/problem.js';
import { open, seal } from './aes-gcm.js';
import { initialFingerprintKey, masterKeyId } from './key-material.js';

/** Associated data of the wrapped fingerprint key: it opens nowhere else. */
export const FINGERPRINT_KEY_AAD = 'key-ring-master:fingerprint-key';

const MISMATCH = 'KEYWARD_MASTER_KEY does not match the key ring in the database (was the master key rotated? restart with the new key)';

export interface KeyRingMasterRow {
  master_key_id: string;
  wrapped_fingerprint_key: Buffer;
}

/**
 * At start-up: checks that `masterKey` wraps the ring and answers the fingerprint key. The first
 * start on a database writes the record, keeping the fingerprint key earlier versions derived
 * from the master key, so fingerprints already stored stay valid.
 */
export async function openKeyRingMaster(dataSource: DataSource, masterKey: Buffer): Promise<Buffer> {
  const id = masterKeyId(masterKey);
  const read = async () => ((await dataSource.query('SELECT master_key_id, wrapped_fingerprint_key FROM key_ring_master')) as KeyRingMasterRow[])[0];
  let ring = await read();
  if (!ring) {
    const [{ count }]: { count: string }[] = await dataSource.query('SELECT count(*) FROM key_ring_entries WHERE master_key_id <> $1', [id]);
    if (Number(count) > 0) throw new Error(MISMATCH);
    await dataSource.query('INSERT INTO key_ring_master (master_key_id, wrapped_fingerprint_key) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      id,
      seal(masterKey, initialFingerprintKey(masterKey), FINGERPRINT_KEY_AAD),
    ]);
    ring = await read();
  }
  if (ring.master_key_id !== id) throw new Error(MISMATCH);
  return open(masterKey, ring.wrapped_fingerprint_key, FINGERPRINT_KEY_AAD);
}

/** What an instance still on a rotated-away master key answers instead of touching the ring. */
export function rotatedAway(): AppError {
  return new AppError('unavailable', "The key ring was re-wrapped under a new master key: this instance's KEYWARD_MASTER_KEY is outdated and it must restart with the new one");
}

/**
 * In the transaction adding an entry: refuses once the ring is wrapped under another master key.
 * The share lock makes a concurrent rotation (which updates the row) wait for the insert, or
 * the insert see the rotation: an entry is never left wrapped under the old key.
 */
export async function assertRingWrappedBy(tx: EntityManager, id: string): Promise<void> {
  const [ring]: { master_key_id: string }[] = await tx.query('SELECT master_key_id FROM key_ring_master FOR SHARE');
  if (ring?.master_key_id !== id) throw rotatedAway();
}
