import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createEntry, uniqueKey } from './entries.js';

// The pool has 8 connections (see startTestApp) and the key-ring cache is off, so every
// write needs the database for its key: far more writers than connections.
describe('/v1/key-store under concurrency', () => {
  let t: TestApp;
  let users: TestUser[];
  beforeAll(async () => {
    t = await startTestApp();
    users = await Promise.all([createUser(t), createUser(t), createUser(t)]);
  });
  afterAll(() => t.close());

  it('gives exactly one 200 and 99 × 409 for 100 concurrent creates of one key', async () => {
    const key = uniqueKey('race');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => t.http.post('/v1/key-store/').set(users[i % users.length].auth).send({ key, data: { writer: i } })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    for (const res of results.filter((r) => r.status === 409)) expect(res.body.error.code).toBe(5001);

    const winner = results.find((res) => res.status === 200)!.body.data;
    const rows: { version: number; created_by: string }[] = await t.db.query('SELECT version, created_by FROM key_store_entries WHERE key = $1', [key]);
    expect(rows).toEqual([{ version: 1, created_by: winner.createdBy }]);
    const read = await t.http.get(`/v1/key-store/${key}`).set(users[0].auth).expect(200);
    expect(read.body.data).toEqual(winner);
  });

  it('loses none of 50 concurrent PUT merges of different fields', async () => {
    const key = uniqueKey('merge');
    const [owner] = users;
    await createEntry(t, owner, key, { base: true });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { [`field${i}`]: i } })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(50).fill(200));
    // Each merge was its own version: 2..51, each once.
    expect(results.map((res) => res.body.data.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    for (const res of results) expect(res.headers.etag).toBe(`"${res.body.data.version}"`);

    const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
    expect(read.body.data.version).toBe(51);
    expect(read.body.data.data).toEqual({ base: true, ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field${i}`, i])) });
  });

  it('loses none of 50 concurrent POST createOrUpdate merges on a key that does not exist yet', async () => {
    const key = uniqueKey('upsert');
    const [owner] = users;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { [`field${i}`]: i }, createOrUpdate: true })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(50).fill(200));
    expect(results.map((res) => res.body.data.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
    expect(read.body.data.data).toEqual(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field${i}`, i])));
  });

  it('lets exactly one of several writers holding the same If-Match version win', async () => {
    const key = uniqueKey('cas');
    const [owner] = users;
    await createEntry(t, owner, key, {});
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.http.put(`/v1/key-store/${key}`).set(owner.auth).set('If-Match', '"1"').send({ data: { winner: i } })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
    expect(read.body.data.version).toBe(2);
    expect(read.body.data.data).toEqual(results.find((res) => res.status === 200)!.body.data.data);
  });

  it('answers concurrent deletes once with the entry and 404 for the rest', async () => {
    const key = uniqueKey('delete');
    const [owner] = users;
    await createEntry(t, owner, key, { a: 1 });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.http.delete(`/v1/key-store/${key}`).set(owner.auth)));
    expect(results.map((res) => res.status).sort()).toEqual([200, ...Array(9).fill(404)]);
  });
});
