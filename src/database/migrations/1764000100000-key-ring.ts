import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key ring (SPEC §3/§5). Tables holding encrypted values reference an entry as
 * (key_ring_entry_id, key_ring_entry_usable) → (id, usable): deleting an entry flips `usable`,
 * which the foreign key refuses while any value still depends on it, and a writer racing the
 * deletion fails instead of sealing data under a deleted key.
 */
export class KeyRing1764000100000 implements MigrationInterface {
  name = 'KeyRing1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_ring_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        wrapped_key bytea NOT NULL,
        master_key_id varchar(16) NOT NULL,
        fingerprint char(64) NOT NULL,
        key_bits smallint NOT NULL CHECK (key_bits IN (128, 192, 256)),
        activation_date timestamptz NOT NULL,
        expiration_date timestamptz NOT NULL,
        description varchar(500),
        usable boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by char(24) REFERENCES users(id) ON DELETE SET NULL,
        deleted_at timestamptz,
        CONSTRAINT key_ring_entries_dates CHECK (expiration_date > activation_date),
        CONSTRAINT key_ring_entries_deleted_unusable CHECK ((deleted_at IS NULL) = usable),
        CONSTRAINT key_ring_entries_id_usable UNIQUE (id, usable)
      )`);
    await q.query(`CREATE UNIQUE INDEX key_ring_entries_fingerprint_key ON key_ring_entries (fingerprint)`);
    await q.query(`CREATE UNIQUE INDEX key_ring_entries_activation_key ON key_ring_entries (activation_date) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE key_ring_entries');
  }
}
