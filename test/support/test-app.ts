import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp } from '../../src/bootstrap.js';
import { createIsolatedDatabase } from './isolated-database.js';
import { recordResponses } from './response-recorder.js';
import { EMBEDDED_POOL_SIZE } from '../../src/database/embedded-postgres.js';
import type { Env } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  close(): Promise<void>;
}

/** The real app on the run's database, configured as a deployment would be, plus `env`. */
export async function startTestApp(env: Env = {}): Promise<TestApp> {
  // Every response is validated against openapi.json after the test file (test/setup.ts).
  const app = await createApp(
    {
      DATABASE_URL: inject('databaseUrl'),
      KEYWARD_MASTER_KEY: inject('masterKey'),
      KEYWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'keyward-test-')),
      KEYWARD_DB_POOL_SIZE: inject('serverUrl') ? '8' : String(EMBEDDED_POOL_SIZE),
      // Deterministic tests: no background rewrap, and the active key-ring entry re-read every time.
      KEYWARD_REWRAP_INTERVAL_SECONDS: '0',
      KEYWARD_KEYRING_CACHE_SECONDS: '0',
      KEYWARD_AUTH_CACHE_SECONDS: '0',
      ...env,
    },
    recordResponses,
  );
  return {
    app,
    http: request(app.getHttpServer()),
    db: app.get(DataSource),
    close: () => app.close(),
  };
}

export interface IsolatedTestApp extends TestApp {
  /** The isolated database's URL, for a second instance, the CLI or a direct connection. */
  databaseUrl: string;
}

/**
 * The real app on a database of its own (see createIsolatedDatabase), for tests of global
 * state (the key ring, the audit chain) or that kill the service's sessions. `close` drops it.
 */
export async function startIsolatedTestApp(env: Env = {}): Promise<IsolatedTestApp> {
  const database = await createIsolatedDatabase();
  try {
    const t = await startTestApp({ DATABASE_URL: database.url, ...env });
    return {
      ...t,
      databaseUrl: database.url,
      close: async () => {
        await t.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
