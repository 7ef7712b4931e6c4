import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp } from '../../src/bootstrap.js';
import { recordResponses } from './response-recorder.js';
import { EMBEDDED_POOL_SIZE } from '../../src/database/embedded-postgres.js';
import type { Env } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  close(): Promise<void>;
}

/** The real app on the run's database, configured as a deployment would be, plus `env`. */
export async function startTestApp(env: Env = {}): Promise<TestApp> {
  const app = await createApp({
    DATABASE_URL: inject('databaseUrl'),
    KEYWARD_MASTER_KEY: inject('masterKey'),
    KEYWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'keyward-test-')),
    KEYWARD_DB_POOL_SIZE: inject('serverUrl') ? '8' : String(EMBEDDED_POOL_SIZE),
    // Deterministic tests: no background rewrap, and the active key-ring entry re-read every time.
    KEYWARD_REWRAP_INTERVAL_SECONDS: '0',
    KEYWARD_KEYRING_CACHE_SECONDS: '0',
    KEYWARD_AUTH_CACHE_SECONDS: '0',
    ...env,
  });
  // Every response is validated against openapi.json after the test file (test/setup.ts).
  recordResponses(app.getHttpServer());
  return {
    app,
    http: request(app.getHttpServer()),
    db: app.get(DataSource),
    close: () => app.close(),
  };
}
