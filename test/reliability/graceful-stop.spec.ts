import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIfStale, startCompiledService, type CompiledService } from '../support/compiled-service.js';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/isolated-database.js';
import { connect, waitForLockWait } from '../support/pg-client.js';

/** README (Operations): SIGTERM stops accepting requests; those already running are answered first. */
describe.skipIf(!inject('serverUrl'))('SIGTERM during a request', () => {
  let db: IsolatedDatabase;
  let service: CompiledService | undefined;
  const secret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    buildIfStale();
    db = await createIsolatedDatabase();
    service = await startCompiledService({ DATABASE_URL: db.url, KEYWARD_MASTER_KEY: inject('masterKey'), KEYWARD_BOOTSTRAP_ADMIN: `stop-admin:${secret}` });
  }, 120_000);

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await db?.drop();
  });

  it('answers the request it is serving, then exits 0', async () => {
    const { baseUrl, child } = service!;
    const token = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'stop-admin', client_secret: secret }),
    }).then(async (res) => ((await res.json()) as { access_token: string }).access_token);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${baseUrl}/v1/key-store/`, { method: 'POST', headers, body: JSON.stringify({ key: 'held-entry', data: { v: 0 } }) });
    expect(created.status).toBe(200);

    // The write waits on a row lock held here, so it is still running when the signal comes.
    const holder = await connect(db.url);
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM key_store_entries WHERE key = 'held-entry' FOR UPDATE");
      const update = fetch(`${baseUrl}/v1/key-store/held-entry`, { method: 'PUT', headers, body: JSON.stringify({ data: { v: 1 } }) });
      await waitForLockWait(holder);
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      await sleep(500);
      await holder.query('COMMIT');
      const answered = await update;
      expect(answered.status).toBe(200);
      expect(((await answered.json()) as { data: { version: number } }).data.version).toBe(2);
      expect(await exited).toBe(0);
    } finally {
      await holder.end();
    }
  });
});
