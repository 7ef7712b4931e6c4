import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which secret a user has: an access token carries the version of the secret that obtained it,
 * so a rotation revokes exactly the tokens issued before it. The database counts the version
 * on every change of the hash, whoever writes it: a release that knows no versions (during a
 * rolling upgrade) or an operator's UPDATE revokes tokens too.
 */
export class SecretVersion1764000600000 implements MigrationInterface {
  name = 'SecretVersion1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN secret_version integer NOT NULL DEFAULT 1');
    await q.query(`
      CREATE FUNCTION users_count_secret_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.secret_hash IS DISTINCT FROM OLD.secret_hash THEN
          NEW.secret_version := OLD.secret_version + 1;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      'CREATE TRIGGER users_count_secret_version BEFORE UPDATE OF secret_hash ON users FOR EACH ROW EXECUTE FUNCTION users_count_secret_version()',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER users_count_secret_version ON users');
    await q.query('DROP FUNCTION users_count_secret_version()');
    await q.query('ALTER TABLE users DROP COLUMN secret_version');
  }
}
