import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, personal access tokens, failed-login throttle, projects with their members' grants and environments. */
export class Identity1764000000000 implements MigrationInterface {
  name = 'Identity1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id char(24) PRIMARY KEY CHECK (id ~ '^[a-f0-9]{24}$'),
        username varchar(64) NOT NULL,
        is_admin boolean NOT NULL DEFAULT false,
        disabled boolean NOT NULL DEFAULT false,
        secret_hash text NOT NULL,
        secret_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
    await q.query(`
      CREATE TABLE personal_access_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id char(24) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        token_hash bytea NOT NULL UNIQUE,
        token_hint varchar(16) NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX personal_access_tokens_user_idx ON personal_access_tokens (user_id, created_at)`);
    await q.query(`
      CREATE TABLE login_throttle (
        bucket varchar(400) PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        description varchar(1000),
        created_by char(24) REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX projects_name_key ON projects (lower(name))`);
    await q.query(`
      CREATE TABLE project_members (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        user_id char(24) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        permissions text[] NOT NULL CHECK (permissions <@ ARRAY['SECRETS:VIEW','SECRETS:MANAGE','SECRETS:DEPLOY_UNDEPLOY']::text[]),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, user_id)
      )`);
    await q.query(`CREATE INDEX project_members_user_idx ON project_members (user_id)`);
    await q.query(`
      CREATE TABLE environments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        type varchar(16) NOT NULL CHECK (type IN ('PRODUCTION', 'SANDBOX', 'TEST')),
        description varchar(1000),
        created_by char(24) REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX environments_project_name_key ON environments (project_id, lower(name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE environments');
    await q.query('DROP TABLE project_members');
    await q.query('DROP TABLE projects');
    await q.query('DROP TABLE login_throttle');
    await q.query('DROP TABLE personal_access_tokens');
    await q.query('DROP TABLE users');
  }
}
