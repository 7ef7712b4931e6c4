import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('readiness when the database goes away', () => {
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
});
