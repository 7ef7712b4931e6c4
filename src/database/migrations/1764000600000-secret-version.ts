import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which secret a user has: every rotation counts it up, and an access token carries the version
 * of the secret that obtained it, so a rotation revokes exactly the tokens issued before it.
 */
export class SecretVersion1764000600000 implements MigrationInterface {
  name = 'SecretVersion1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN secret_version integer NOT NULL DEFAULT 1');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN secret_version');
  }
}
