import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `/v1/key-store` entries (SPEC §2). `data` is only ever stored as ciphertext sealed under a
 * key-ring entry (see ProtectedTables); the (id, usable) foreign key stops a key-ring entry
 * from being deleted while an entry depends on it.
 *
 * `key` uses the "C" collation so that ordering is plain byte order (what keyset pagination
 * and clients expect) and `LIKE 'prefix%'` can use the unique index.
 */
export class KeyStore1764000200000 implements MigrationInterface {
  name = 'KeyStore1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_store_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(128) COLLATE "C" NOT NULL,
        key_ring_entry_id uuid NOT NULL,
        key_ring_entry_usable boolean NOT NULL DEFAULT true CHECK (key_ring_entry_usable),
        ciphertext bytea NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        created_by char(24) NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT key_store_entries_key_key UNIQUE (key),
        -- The API's key rule, enforced again here so no other writer can store a key the API would refuse.
        CONSTRAINT key_store_entries_key_pattern CHECK (key ~ '^[a-z][a-z0-9_-]+[a-z0-9]$' AND key !~ '^admin'),
        CONSTRAINT key_store_entries_key_ring_entry_fk FOREIGN KEY (key_ring_entry_id, key_ring_entry_usable)
          REFERENCES key_ring_entries (id, usable)
      )`);
    await q.query(`CREATE INDEX key_store_entries_key_ring_entry_idx ON key_store_entries (key_ring_entry_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE key_store_entries');
  }
}
