import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Project keys (SPEC §4). A key's content is stored per environment, only as ciphertext
 * sealed under a key-ring entry (same (id, usable) reference as every protected table, see
 * KeyRing1764000100000); a deployment publishes the key's current version to an environment
 * and must point at content that exists. Environments gain an optional webhook whose signing
 * secret is sealed the same way (all four columns set, or none).
 */
export class ProjectKeys1764000300000 implements MigrationInterface {
  name = 'ProjectKeys1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE project_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(1000),
        key_type varchar(16) NOT NULL CHECK (key_type IN ('SECRET_KEY', 'PRIVATE_KEY', 'PUBLIC_KEY')),
        current_version integer NOT NULL DEFAULT 1 CHECK (current_version >= 1),
        created_by char(24) REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Case-insensitive like project and environment names; it decides duplicate creates and renames.
    await q.query(`CREATE UNIQUE INDEX project_keys_project_name_key ON project_keys (project_id, lower(name))`);
    await q.query(`
      CREATE TABLE project_key_contents (
        id uuid PRIMARY KEY,
        key_id uuid NOT NULL REFERENCES project_keys(id) ON DELETE CASCADE,
        environment_id uuid NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
        alias varchar(200),
        version integer NOT NULL CHECK (version >= 1),
        fingerprint char(64) NOT NULL,
        key_ring_entry_id uuid NOT NULL,
        key_ring_entry_usable boolean NOT NULL DEFAULT true CHECK (key_ring_entry_usable),
        ciphertext bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT project_key_contents_key_ring_entry_fk FOREIGN KEY (key_ring_entry_id, key_ring_entry_usable)
          REFERENCES key_ring_entries(id, usable),
        CONSTRAINT project_key_contents_key_environment_key UNIQUE (key_id, environment_id)
      )`);
    await q.query(`CREATE INDEX project_key_contents_environment_idx ON project_key_contents (environment_id)`);
    await q.query(`CREATE INDEX project_key_contents_key_ring_entry_idx ON project_key_contents (key_ring_entry_id, key_ring_entry_usable)`);
    await q.query(`
      CREATE TABLE key_deployments (
        key_id uuid NOT NULL,
        environment_id uuid NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        status varchar(16) NOT NULL CHECK (status IN ('PENDING', 'DEPLOYED', 'FAILED')),
        message varchar(500),
        attempt_id uuid NOT NULL UNIQUE,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, environment_id),
        CONSTRAINT key_deployments_content_fk FOREIGN KEY (key_id, environment_id)
          REFERENCES project_key_contents(key_id, environment_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX key_deployments_environment_idx ON key_deployments (environment_id)`);
    await q.query(`
      ALTER TABLE environments
        ADD COLUMN webhook_url varchar(2000),
        ADD COLUMN key_ring_entry_id uuid,
        ADD COLUMN key_ring_entry_usable boolean CHECK (key_ring_entry_usable),
        ADD COLUMN ciphertext bytea,
        ADD CONSTRAINT environments_key_ring_entry_fk FOREIGN KEY (key_ring_entry_id, key_ring_entry_usable)
          REFERENCES key_ring_entries(id, usable),
        ADD CONSTRAINT environments_webhook_secret_sealed CHECK (
          (webhook_url IS NULL AND key_ring_entry_id IS NULL AND key_ring_entry_usable IS NULL AND ciphertext IS NULL)
          OR (webhook_url IS NOT NULL AND key_ring_entry_id IS NOT NULL AND key_ring_entry_usable IS NOT NULL AND ciphertext IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE environments
        DROP CONSTRAINT environments_webhook_secret_sealed,
        DROP CONSTRAINT environments_key_ring_entry_fk,
        DROP COLUMN ciphertext,
        DROP COLUMN key_ring_entry_usable,
        DROP COLUMN key_ring_entry_id,
        DROP COLUMN webhook_url`);
    await q.query('DROP TABLE key_deployments');
    await q.query('DROP TABLE project_key_contents');
    await q.query('DROP TABLE project_keys');
  }
}
