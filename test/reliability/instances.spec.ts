import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProject, createUser, login, uniqueName, type TestUser } from '../support/auth.js';
import { createEnvironment, keyBody, secretKey } from '../project-keys/support.js';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/isolated-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Two instances of the app on one database, as two processes behind a load balancer would be.
 * Its own database: the key-ring change is global.
 */
let requests = 0;

describe.skipIf(!inject('serverUrl'))('two instances on one database', () => {
  let db: IsolatedDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    db = await createIsolatedDatabase();
    a = await startTestApp({ DATABASE_URL: db.url });
    // B caches the active key-ring entry for 1 s, as the README documents (KEYWARD_KEYRING_CACHE_SECONDS).
    b = await startTestApp({ DATABASE_URL: db.url, KEYWARD_KEYRING_CACHE_SECONDS: '1' });
    admin = await createUser(a, { isAdmin: true });
  });
  afterAll(async () => {
    console.log(`[figures] instances: ${requests} requests`);
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  const entryOf = async (key: string) => (await a.db.query('SELECT key_ring_entry_id AS id FROM key_store_entries WHERE key = $1', [key]))[0].id as string;

  it('a key-ring entry added on A is used by B\'s writes within the cache delay', async () => {
    const warm = `warm-${randomBytes(3).toString('hex')}`;
    await b.http.post('/v1/key-store/').set(admin.auth).send({ key: warm, data: { n: 0 } }).expect(200);
    const old = await entryOf(warm);
    const created = await a.http
      .post('/api/adm/KeyStores')
      .set(admin.auth)
      // Active from now: later than the entry generated at start-up (the latest activation wins).
      .send({ key: randomBytes(32).toString('base64'), activationDate: new Date().toISOString(), expirationDate: new Date(Date.now() + 86_400_000).toISOString() })
      .expect(200);
    expect(created.body.id).not.toBe(old);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = `after-${randomBytes(3).toString('hex')}`;
    await b.http.post('/v1/key-store/').set(admin.auth).send({ key: after, data: { n: 1 } }).expect(200);
    requests += 3;
    expect(await entryOf(after)).toBe(created.body.id);
    // And A reads what B sealed, B what A sealed.
    expect((await a.http.get(`/v1/key-store/${after}`).set(admin.auth).expect(200)).body.data.data).toEqual({ n: 1 });
    expect((await b.http.get(`/v1/key-store/${warm}`).set(admin.auth).expect(200)).body.data.data).toEqual({ n: 0 });
    requests += 2;
  });

  it('a user disabled on A and a PAT revoked on A are refused by B on the next request', async () => {
    const victim = await createUser(a);
    const pat = await a.http.post('/v1/personal-access-tokens').set(victim.auth).send({ name: 'two-instances' }).expect(200);
    const patAuth = { Authorization: `Bearer ${pat.body.data.token}` };
    const other = await createUser(a);
    const otherPat = await a.http.post('/v1/personal-access-tokens').set(other.auth).send({ name: 'revoked' }).expect(200);
    const otherPatAuth = { Authorization: `Bearer ${otherPat.body.data.token}` };
    await b.http.get('/v1/key-store/').set(victim.auth).expect(200);
    await b.http.get('/v1/key-store/').set(otherPatAuth).expect(200);

    await a.http.patch(`/api/adm/users/${victim.id}`).set(admin.auth).send({ disabled: true }).expect(200);
    await a.http.delete(`/v1/personal-access-tokens/${otherPat.body.data.id}`).set(other.auth).expect(200);
    expect((await b.http.get('/v1/key-store/').set(victim.auth).expect(401)).body.error.code).toBe(4004);
    expect((await b.http.get('/v1/key-store/').set(patAuth).expect(401)).body.error.code).toBe(4004);
    expect((await b.http.get('/v1/key-store/').set(otherPatAuth).expect(401)).body.error.code).toBe(4004);
    await b.http.get('/v1/key-store/').set(other.auth).expect(200);
    requests += 11;
  });

  it('an instance still caching a key-ring entry that A deleted seals its next writes under the active one', async () => {
    // C keeps its active entry for five minutes, so it still has the old one when A deletes it.
    const c = await startTestApp({ DATABASE_URL: db.url, KEYWARD_KEYRING_CACHE_SECONDS: '300' });
    try {
      const project = await createProject(a, admin);
      const environment = await createEnvironment(a, admin, project);
      const stored = `cached-${randomBytes(3).toString('hex')}`;
      await c.http.post('/v1/key-store/').set(admin.auth).send({ key: stored, data: { n: 0 } }).expect(200);
      const keyName = uniqueName('key');
      // Each write comes right after A replaced the entry C caches: activates a new one, moves every value onto it, deletes the old.
      const writes: [string, () => Promise<unknown>][] = [
        ['key-store create', () => c.http.post('/v1/key-store/').set(admin.auth).send({ key: `${stored}-new`, data: { n: 1 } }).expect(200)],
        ['key-store merge', () => c.http.put(`/v1/key-store/${stored}`).set(admin.auth).send({ data: { m: 2 } }).expect(200)],
        ['project key create', () => c.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(keyName, 'SECRET_KEY', [{ environmentName: environment.name, content: secretKey() }])).expect(200)],
        ['project key update', () => c.http.put(`/apiops/projects/${project}/keys/${keyName}`).set(admin.auth).send({ cryptoKeyInfoEnvironmentList: [{ environmentName: environment.name, content: secretKey() }] }).expect(200)],
        ['environment with a webhook', () => createEnvironment(c, admin, project, { webhookUrl: 'http://127.0.0.1:9/hook' })],
      ];
      let cached = await entryOf(stored);
      for (const [what, write] of writes) {
        const newer = await a.http
          .post('/api/adm/KeyStores/generate')
          .set(admin.auth)
          .send({ activationDate: new Date().toISOString(), expirationDate: new Date(Date.now() + 86_400_000).toISOString() })
          .expect(200);
        await a.http.post('/api/adm/KeyStores/rewrap').set(admin.auth).expect(200);
        await a.http.delete(`/api/adm/KeyStores/${cached}`).set(admin.auth).expect(200);
        await write().catch((error: Error) => {
          throw new Error(`${what}: ${error.message}`);
        });
        requests += 4;
        cached = newer.body.id;
      }
      const used: { id: string }[] = await a.db.query(
        `SELECT DISTINCT key_ring_entry_id AS id FROM key_store_entries
         UNION SELECT key_ring_entry_id FROM project_key_contents
         UNION SELECT key_ring_entry_id FROM environments WHERE key_ring_entry_id IS NOT NULL`,
      );
      expect(used.map((row) => row.id)).toEqual([cached]);
      expect((await a.http.get(`/v1/key-store/${stored}`).set(admin.auth).expect(200)).body.data.data).toEqual({ n: 0, m: 2 });
      requests += 1;
    } finally {
      await c.close();
    }
  });

  it('both serve the same data, whichever wrote it', async () => {
    const user = await createUser(b, { username: uniqueName('shared') });
    // A token issued by B works on A (one signing secret, one user table).
    const token = await login(b, user.username, user.secret);
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) {
      const key = `shared-${i}-${randomBytes(3).toString('hex')}`;
      keys.push(key);
      await (i % 2 ? a : b).http.post('/v1/key-store/').set('Authorization', `Bearer ${token}`).send({ key, data: { i } }).expect(200);
    }
    for (const key of keys) {
      const [fromA, fromB] = await Promise.all([a, b].map((app) => app.http.get(`/v1/key-store/${key}`).set(admin.auth).expect(200)));
      expect(fromA.body).toEqual(fromB.body);
    }
    const [listA, listB] = await Promise.all([a, b].map((app) => app.http.get('/v1/key-store/?prefix=shared-&limit=100').set(admin.auth).expect(200)));
    expect(listA.body).toEqual(listB.body);
    requests += 32;
  });
});
