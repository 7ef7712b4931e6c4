import { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { CLI_PRINCIPAL } from '../auth/principal.js';
import { DecryptionError, open, seal } from './aes-gcm.js';
import { entryAad } from './key-ring.js';
import { masterKeyId } from './key-material.js';
import { FINGERPRINT_KEY_AAD, type KeyRingMasterRow } from './key-ring-master.js';

/**
 * Re-wraps every key-ring entry under a new master key in one transaction; stored values
 * are untouched (they are sealed under the entries, not the master key). Afterwards every
 * instance must restart with the new KEYWARD_MASTER_KEY: one still on the old key refuses to
 * start, and until it restarts refuses to add entries or to unwrap ones it had not cached.
 */
export async function rotateMasterKey(dataSource: DataSource, audit: AuditService, currentKey: Buffer, newKey: Buffer): Promise<number> {
  if (currentKey.equals(newKey)) throw new Error('The new master key is the current one');
  return dataSource.transaction(async (tx) => {
    // Locked first: entry inserts hold it shared, so none is in flight under the old key.
    const [ring]: KeyRingMasterRow[] = await tx.query('SELECT master_key_id, wrapped_fingerprint_key FROM key_ring_master FOR UPDATE');
    const entries: { id: string; wrapped_key: Buffer }[] = await tx.query('SELECT id, wrapped_key FROM key_ring_entries ORDER BY id FOR UPDATE');
    const newKeyId = masterKeyId(newKey);
    for (const entry of entries) {
      let material: Buffer;
      try {
        material = open(currentKey, entry.wrapped_key, entryAad(entry.id));
      } catch (error) {
        if (error instanceof DecryptionError) throw new Error(`Key-ring entry ${entry.id} is not wrapped by the configured KEYWARD_MASTER_KEY; nothing was changed`);
        throw error;
      }
      await tx.query('UPDATE key_ring_entries SET wrapped_key = $1, master_key_id = $2 WHERE id = $3', [seal(newKey, material, entryAad(entry.id)), newKeyId, entry.id]);
    }
    // The fingerprint key moves with the ring, unchanged: stored fingerprints stay valid.
    const fingerprintKey = open(currentKey, ring.wrapped_fingerprint_key, FINGERPRINT_KEY_AAD);
    await tx.query('UPDATE key_ring_master SET master_key_id = $1, wrapped_fingerprint_key = $2, updated_at = now()', [
      newKeyId,
      seal(newKey, fingerprintKey, FINGERPRINT_KEY_AAD),
    ]);
    await audit.record(tx, {
      action: 'keyring.master_key.rotate',
      actor: CLI_PRINCIPAL,
      resource: { type: 'keyring' },
      details: { entries: entries.length, masterKeyId: newKeyId },
    });
    return entries.length;
  });
}
