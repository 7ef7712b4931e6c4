import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { isDatabaseUnavailable } from '../../src/database/database-errors.js';
import { Sql } from '../../src/database/sql.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('when the database goes away', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  beforeAll(async () => {
    proxy = TcpProxy.forUrl(inject('databaseUrl'));
    await proxy.start();
    t = await startTestApp({ DATABASE_URL: proxy.rewrite(inject('databaseUrl')) });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  it('goes 503 while the database is unreachable and back to 200 without a restart', async () => {
    await t.http.get('/health/ready').expect(200);
    await proxy.stop();
    const down = await t.http.get('/health/ready').expect(503);
    expect(down.body).toEqual({ status: 'unavailable', database: 'down' });
    await t.http.get('/health/live').expect(200);
    await proxy.start();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await t.http.get('/health/ready')).status;
    }
    expect(status).toBe(200);
  });

  // Sql runs hot statements on the pool directly: pg also emits the lost connection as 'error'.
  it('a statement cut mid-way fails as "database unavailable" (503), the process lives on, the next is served', async () => {
    const sql = t.app.get(Sql);
    const statement = sql.query('SELECT pg_sleep(1)', []).catch((e: unknown) => e);
    await sleep(200);
    await proxy.stop();
    const error = await statement;
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(isDatabaseUnavailable(error)).toBe(true);
    await proxy.start();
    expect(await sql.query('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
  });
});
