import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which master key wraps the key ring, in one row: inserting an entry reads it under a share
 * lock and a master-key rotation updates it, so an instance still running on the old key
 * cannot add an entry wrapped under it once the ring has been re-wrapped. The row also holds
 * the fingerprint key, wrapped like an entry: fingerprints stay the same across rotations.
 * Start-up writes the row (only the service holds the master key).
 */
export class KeyRingMaster1764000500000 implements MigrationInterface {
  name = 'KeyRingMaster1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_ring_master (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        master_key_id varchar(16) NOT NULL,
        wrapped_fingerprint_key bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE key_ring_master');
  }
}
