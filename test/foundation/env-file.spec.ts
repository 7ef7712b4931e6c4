import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIfStale, startCompiledService, type CompiledService } from '../support/compiled-service.js';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/isolated-database.js';
import { connect } from '../support/pg-client.js';

/** README: settings come from the environment "or a `.env` file"; the service process reads them too, not only the app. */
describe.skipIf(!inject('serverUrl'))('a .env file in the working directory', () => {
  let db: IsolatedDatabase;
  let dir: string;
  let service: CompiledService | undefined;

  beforeAll(async () => {
    buildIfStale();
    db = await createIsolatedDatabase();
    dir = mkdtempSync(join(tmpdir(), 'keyward-env-file-'));
  }, 120_000);

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('points the service at its DATABASE_URL, not at the embedded database', async () => {
    const admin = `env-admin-${randomBytes(3).toString('hex')}`;
    writeFileSync(join(dir, '.env'), `DATABASE_URL=${db.url}\nKEYWARD_MASTER_KEY=${inject('masterKey')}\nKEYWARD_BOOTSTRAP_ADMIN=${admin}:${randomBytes(16).toString('hex')}\n`);
    service = await startCompiledService(
      { KEYWARD_DATA_DIR: join(dir, 'data') },
      { cwd: dir, without: ['DATABASE_URL', 'KEYWARD_MASTER_KEY', 'KEYWARD_BOOTSTRAP_ADMIN'] },
    );
    const client = await connect(db.url);
    try {
      const { rows } = await client.query('SELECT username FROM users WHERE username = $1', [admin]);
      expect(rows).toEqual([{ username: admin }]);
    } finally {
      await client.end();
    }
    expect(existsSync(join(dir, 'data', 'pgdata'))).toBe(false);
    // A warning (the helper logs warnings and errors only): the key came from the file too.
    expect(service.output()).not.toMatch(/No KEYWARD_MASTER_KEY/);
  });
});
