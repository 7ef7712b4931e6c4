import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createProject, createUser, grant, type TestUser } from '../support/auth.js';
import { IdentityCache } from '../../src/auth/identity-cache.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Polls until `check` holds; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not within ${ms} ms`);
}

// LISTEN/NOTIFY needs a real server; the embedded mode runs without the cache.
describe.skipIf(!inject('serverUrl'))('identity cache across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    a = await startTestApp({ KEYWARD_AUTH_CACHE_SECONDS: '300' });
    b = await startTestApp({ KEYWARD_AUTH_CACHE_SECONDS: '300' });
    admin = await createUser(a, { isAdmin: true });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const status = async (t: TestApp, path: string, auth: { Authorization: string }) => (await t.http.get(path).set(auth)).status;

  it('does not keep a value read before a change that committed while it was being read', async () => {
    const cache = b.app.get(IdentityCache);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tags = () => ['race:one'];
    const inFlight = cache.get('race', tags, async () => {
      await gate;
      return 'read before the change';
    });
    await a.db.transaction((tx) => a.app.get(IdentityCache).changed(tx, 'race:one'));
    // Give b's listener time to hear the change while the read is still in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect(await inFlight).toBe('read before the change');
    expect(await cache.get('race', tags, async () => 'read after the change')).toBe('read after the change');
  });

  it('refuses a user disabled on another instance within a second, despite a long cache', async () => {
    const user = await createUser(a);
    expect(await status(b, '/v1/personal-access-tokens', user.auth)).toBe(200); // now cached on b
    await a.http.patch(`/api/adm/users/${user.id}`).set(admin.auth).send({ disabled: true }).expect(200);
    expect(await status(a, '/v1/personal-access-tokens', user.auth)).toBe(401); // at once where it changed
    expect(await within(1000, async () => (await status(b, '/v1/personal-access-tokens', user.auth)) === 401)).toBeLessThan(1000);
  });

  it('refuses a personal access token revoked on another instance within a second', async () => {
    const user = await createUser(a);
    const { body } = await a.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: 'cached' }).expect(200);
    const pat = { Authorization: `Bearer ${body.data.token}` };
    expect(await status(b, '/v1/personal-access-tokens', pat)).toBe(200);
    await a.http.delete(`/v1/personal-access-tokens/${body.data.id}`).set(user.auth).expect(200);
    await within(1000, async () => (await status(b, '/v1/personal-access-tokens', pat)) === 401);
  });

  it('applies a grant removed on another instance within a second', async () => {
    const project = await createProject(a, admin);
    const member = await createUser(a);
    await grant(a, admin, project, member, ['SECRETS:VIEW']);
    const path = `/apiops/projects/${project}/environments/`;
    expect(await status(b, path, member.auth)).toBe(200);
    await a.http.delete(`/apiops/projects/${project}/members/${member.id}`).set(admin.auth).expect(200);
    await within(1000, async () => (await status(b, path, member.auth)) === 404);
  });
});
