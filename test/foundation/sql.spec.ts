import { QueryFailedError } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/database/database-errors.js';
import { sqlState } from '../../src/database/postgres-errors.js';
import { Sql } from '../../src/database/sql.js';
import { createEntry, uniqueKey } from '../key-store/entries.js';
import { createUser, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Sql: single statements straight on the pool', () => {
  // One connection, so every statement of a test runs in the same session.
  let t: TestApp;
  let sql: Sql;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ KEYWARD_DB_POOL_SIZE: '1' });
    sql = t.app.get(Sql);
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it("fails like TypeORM's query() and keeps the connection for the next statement", async () => {
    const [before] = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
    const error = await sql.query('SELECT 1 / $1::int', [0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(sqlState(error)).toBe('22012');
    expect(isDatabaseUnavailable(error)).toBe(false);
    const [after] = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
    expect(after.pid).toBe(before.pid);
  });

  it.skipIf(!inject('serverUrl'))('prepares a hot read once per connection and executes it from then on', async () => {
    const key = uniqueKey('prepared');
    await createEntry(t, user, key, {});
    for (let i = 0; i < 3; i++) await t.http.get(`/v1/key-store/${key}`).set(user.auth).expect(200);
    const prepared = await sql.query<{ name: string; executions: number }>(
      `SELECT name, (generic_plans + custom_plans)::int AS executions FROM pg_prepared_statements
        WHERE statement LIKE '%FROM key_store_entries WHERE key = $1'`,
      [],
    );
    expect(prepared).toEqual([{ name: expect.stringMatching(/^kw_[0-9a-f]{16}$/), executions: 3 }]);
  });

  // On the embedded database both apps' connections share PGlite's one session.
  it('serves the same statements to a second app on the same database', async () => {
    const key = uniqueKey('second');
    await createEntry(t, user, key, { n: 1 });
    await t.http.get(`/v1/key-store/${key}`).set(user.auth).expect(200);
    const second = await startTestApp({ KEYWARD_DB_POOL_SIZE: '1' });
    try {
      const res = await second.http.get(`/v1/key-store/${key}`).set(user.auth).expect(200);
      expect(res.body.data.data).toEqual({ n: 1 });
    } finally {
      await second.close();
    }
  });
});
