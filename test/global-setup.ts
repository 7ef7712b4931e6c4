import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrationsLocked } from '../src/database/migration-runner.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** The server to create isolated databases on; empty when tests run on the embedded database. */
    serverUrl: string;
    masterKey: string;
  }
}

/**
 * One fresh database per test run: a new database on the server named by TEST_DATABASE_URL
 * or DATABASE_URL, dropped afterwards; with neither, an in-memory embedded PostgreSQL.
 * Migrations run once here so test files starting in parallel find the schema ready.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  let databaseUrl: string;
  let teardown: () => Promise<void>;
  if (serverUrl) {
    const name = `keyward_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    teardown = async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    const embedded = await startEmbeddedPostgres(undefined);
    databaseUrl = embedded.url;
    teardown = () => embedded.stop();
  }
  const dataSource = await new DataSource(dataSourceOptions(databaseUrl, 1)).initialize();
  await runMigrationsLocked(dataSource);
  await dataSource.destroy();

  project.provide('databaseUrl', databaseUrl);
  project.provide('serverUrl', serverUrl ?? '');
  project.provide('masterKey', randomBytes(32).toString('base64'));
  return teardown;
}
