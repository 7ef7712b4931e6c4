// Bulk-seeds key-store entries for the scaling measurement, sealed exactly as the service
// seals them (the compiled crypto code, the active key-ring entry, the row id as AAD).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { open, seal } from '../dist/src/crypto/aes-gcm.js';
import { entryAad } from '../dist/src/crypto/key-ring.js';
import { rowAad } from '../dist/src/crypto/value-cipher.js';

const BATCH = 5000;

export async function seedBulkEntries(url, masterKeyBase64, rows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [entry] = (
      await client.query(
        'SELECT id, wrapped_key FROM key_ring_entries WHERE deleted_at IS NULL AND activation_date <= now() AND expiration_date > now() ORDER BY activation_date DESC LIMIT 1',
      )
    ).rows;
    const key = open(Buffer.from(masterKeyBase64, 'base64'), entry.wrapped_key, entryAad(entry.id));
    const [{ id: owner }] = (await client.query('SELECT id FROM users ORDER BY created_at LIMIT 1')).rows;
    for (let start = 0; start < rows; start += BATCH) {
      const ids = [];
      const keys = [];
      const ciphertexts = [];
      for (let i = start; i < Math.min(rows, start + BATCH); i++) {
        const id = randomUUID();
        ids.push(id);
        keys.push(`scale-${i.toString().padStart(8, '0')}`);
        ciphertexts.push(seal(key, Buffer.from(JSON.stringify({ n: i, theme: 'light' })), rowAad('key_store_entries', id)));
      }
      await client.query(
        `INSERT INTO key_store_entries (id, key, key_ring_entry_id, ciphertext, version, created_by, created_at, updated_at)
         SELECT id, key, $4, ciphertext, 1, $5, now(), now() FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS v(id, key, ciphertext)`,
        [ids, keys, ciphertexts, entry.id, owner],
      );
    }
    await client.query('ANALYZE key_store_entries');
  } finally {
    await client.end();
  }
}
