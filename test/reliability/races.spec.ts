import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProject, createUser, uniqueName, type TestUser } from '../support/auth.js';
import { startIsolatedTestApp, startTestApp, type IsolatedTestApp, type TestApp } from '../support/test-app.js';
import { createEnvironment, keyBody, secretKey } from '../project-keys/support.js';

/**
 * Races over real HTTP on a real server: several pool connections, so requests really overlap
 * in the database. (Concurrent key-store creates, merges, If-Match and deletes are in
 * test/key-store/key-store-concurrency.spec.ts and are not repeated here.)
 */
const N = 20;
let requests = 0;
const statuses = (results: { status: number }[]) => results.map((r) => r.status).sort();
const count = <T>(promises: Promise<T>[]) => ((requests += promises.length), Promise.all(promises));

describe.skipIf(!inject('serverUrl'))('races on one name', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(async () => {
    console.log(`[figures] races (one name): ${requests} requests`);
    await t?.close();
  });

  it('concurrent creates of one username: one 200, the rest 400, one row', async () => {
    const username = uniqueName('racer');
    const results = await count(Array.from({ length: N }, (_, i) => t.http.post('/api/adm/users').set(admin.auth).send({ username: i % 2 ? username : username.toUpperCase() })));
    expect(statuses(results).filter((s) => s === 200)).toHaveLength(1);
    expect(statuses(results).every((s) => s === 200 || (s >= 400 && s < 500))).toBe(true);
    expect((await t.db.query('SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)', [username]))[0].n).toBe(1);
  });

  it('concurrent creates of one project name: one 200, one row', async () => {
    const name = uniqueName('RaceProject');
    const results = await count(Array.from({ length: N }, () => t.http.post('/apiops/projects/').set(admin.auth).send({ name })));
    expect(statuses(results).filter((s) => s === 200)).toHaveLength(1);
    expect(statuses(results).every((s) => s === 200 || s === 400)).toBe(true);
    expect((await t.db.query('SELECT count(*)::int AS n FROM projects WHERE lower(name) = lower($1)', [name]))[0].n).toBe(1);
  });

  it('concurrent creates of one project key name (any case): one 200, the rest the duplicate text', async () => {
    const project = await createProject(t, admin);
    const env = (await createEnvironment(t, admin, project)).name;
    const name = uniqueName('race-key');
    const results = await count(
      Array.from({ length: N }, (_, i) =>
        t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(i % 2 ? name : name.toUpperCase(), 'SECRET_KEY', [{ environmentName: env, content: secretKey() }])),
      ),
    );
    expect(statuses(results).filter((s) => s === 200)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 200)) {
      expect(res.status).toBe(400);
      expect(res.body.error_description).toMatch(/is already exist!/);
    }
    const list = await t.http.get(`/apiops/projects/${project}/keys/`).set(admin.auth).expect(200);
    expect(list.body.resultCount).toBe(1);
    const deployed = await t.http.get(`/apiops/projects/${project}/environments/${env}/deployed-keys/`).set(admin.auth).expect(200);
    expect(deployed.body.resultList).toHaveLength(1);
  });

  it('concurrent renames of two keys to one name: one wins, the other keeps its name', async () => {
    const project = await createProject(t, admin);
    const [a, b, target] = [uniqueName('a'), uniqueName('b'), uniqueName('target')];
    for (const name of [a, b]) await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [])).expect(200);
    const results = await count([a, b].map((name) => t.http.put(`/apiops/projects/${project}/keys/${name}/`).set(admin.auth).send({ name: target })));
    expect(statuses(results)).toEqual([200, 400]);
    const names = (await t.http.get(`/apiops/projects/${project}/keys/`).set(admin.auth).expect(200)).body.resultList.map((k: { name: string }) => k.name).sort();
    const loser = results[0].status === 200 ? b : a;
    expect(names).toEqual([loser, target].sort());
  });

  it('concurrent deploys and undeploys of one key to one environment: the final state is one of them, and deployed-keys agrees with the rows', async () => {
    const project = await createProject(t, admin);
    const env = (await createEnvironment(t, admin, project)).name;
    const name = uniqueName('flip');
    const content = secretKey();
    await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: env, content }])).expect(200);
    const path = `/apiops/projects/${project}/keys/${name}/environments/${env}/deployment/`;
    for (let round = 0; round < 3; round++) {
      const results = await count(Array.from({ length: N }, (_, i) => (i % 2 ? t.http.post(path) : t.http.delete(path)).set(admin.auth)));
      // Undeploying where it is not deployed is a 400 by design; nothing else may fail.
      expect(results.every((r) => r.status === 200 || r.status === 400), JSON.stringify(statuses(results))).toBe(true);
      const rows: { status: string }[] = await t.db.query(
        `SELECT d.* FROM key_deployments d JOIN project_keys k ON k.id = d.key_id JOIN environments e ON e.id = d.environment_id WHERE k.name = $1 AND e.name = $2`,
        [name, env],
      );
      const deployed = (await t.http.get(`/apiops/projects/${project}/environments/${env}/deployed-keys/`).set(admin.auth).expect(200)).body.resultList;
      expect(rows.length).toBeLessThanOrEqual(1);
      expect(deployed.length).toBe(rows.length);
      if (deployed.length) expect(deployed[0]).toMatchObject({ name, content });
      // One more operation settles it either way, and both APIs agree.
      await t.http.post(path).set(admin.auth).expect(200);
      expect((await t.http.get(`/apiops/projects/${project}/environments/${env}/deployed-keys/`).set(admin.auth).expect(200)).body.resultList).toHaveLength(1);
    }
  });
});

describe.skipIf(!inject('serverUrl'))('races on the key ring (isolated database)', () => {
  let t: IsolatedTestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(async () => {
    console.log(`[figures] races (key ring): ${requests} requests so far`);
    await t?.close();
  });

  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  it('concurrent key-ring entries with one activation date, or with one material: exactly one each', async () => {
    const activationDate = inDays(30);
    const sameDate = await count(
      Array.from({ length: N }, () => t.http.post('/api/adm/KeyStores').set(admin.auth).send({ key: randomBytes(32).toString('base64'), activationDate, expirationDate: inDays(400) })),
    );
    expect(statuses(sameDate).filter((s) => s === 200)).toHaveLength(1);
    expect(sameDate.every((r) => r.status === 200 || r.status === 400)).toBe(true);
    const key = randomBytes(32).toString('base64');
    const sameKey = await count(
      Array.from({ length: N }, (_, i) => t.http.post('/api/adm/KeyStores').set(admin.auth).send({ key, activationDate: inDays(40 + i), expirationDate: inDays(400) })),
    );
    expect(statuses(sameKey).filter((s) => s === 200)).toHaveLength(1);
    expect(sameKey.every((r) => r.status === 200 || r.status === 400)).toBe(true);
  });

  it('rotation and rewrap while key-store and project-key writes go on: every value readable, nothing left under the old entry', async () => {
    const project = await createProject(t, admin);
    const env = (await createEnvironment(t, admin, project)).name;
    const written = new Map<string, unknown>();
    const keys = new Map<string, string>();
    const writes: Promise<void>[] = [];
    const [{ id: oldEntry }] = await t.db.query(
      'SELECT id FROM key_ring_entries WHERE deleted_at IS NULL AND activation_date <= now() ORDER BY activation_date DESC LIMIT 1',
    );
    for (let i = 0; i < 30; i++) {
      const key = `rot-${i}-${randomBytes(3).toString('hex')}`;
      const data = { i, secret: randomBytes(8).toString('hex') };
      writes.push(
        t.http.post('/v1/key-store/').set(admin.auth).send({ key, data }).then((res) => {
          expect(res.status).toBe(200);
          written.set(key, data);
        }),
      );
      const name = `rot-key-${i}`;
      const content = secretKey();
      writes.push(
        t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: env, content }])).then((res) => {
          expect(res.status).toBe(200);
          keys.set(name, content);
        }),
      );
    }
    requests += writes.length;
    // Mid-load: a new entry active from now, and a rewrap.
    const created = await t.http.post('/api/adm/KeyStores').set(admin.auth).send({ key: randomBytes(32).toString('base64'), activationDate: new Date().toISOString(), expirationDate: inDays(365) });
    expect(created.status, created.text).toBe(200);
    const midRewrap = await t.http.post('/api/adm/KeyStores/rewrap').set(admin.auth);
    requests += 2;
    expect(midRewrap.status).toBe(200);
    await Promise.all(writes);
    const final = await t.http.post('/api/adm/KeyStores/rewrap').set(admin.auth).expect(200);
    requests++;
    expect(final.body).toMatchObject({ activeEntryId: created.body.id, remaining: 0 });

    for (const table of ['key_store_entries', 'project_key_contents']) {
      const left = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE key_ring_entry_id = $1`, [oldEntry]);
      expect(left[0].n, table).toBe(0);
    }
    for (const [key, data] of written) {
      requests++;
      expect((await t.http.get(`/v1/key-store/${key}`).set(admin.auth).expect(200)).body.data.data).toEqual(data);
    }
    const deployed = (await t.http.get(`/apiops/projects/${project}/environments/${env}/deployed-keys/`).set(admin.auth).expect(200)).body.resultList;
    requests++;
    expect(deployed).toHaveLength(keys.size);
    for (const item of deployed) expect(item.content).toBe(keys.get(item.name));
  });
});
