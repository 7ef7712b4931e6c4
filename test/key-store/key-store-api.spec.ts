import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PATTERN } from '../../src/key-store/dto/key-store-entry.dto.js';
import { createUser, type TestUser } from '../support/auth.js';
import { asBytes } from '../support/raw-body.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appliveryError, createEntry, uniqueKey } from './entries.js';

const CREATED_BY = /^[a-fA-F0-9]{24}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('/v1/key-store', () => {
  let t: TestApp;
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    [owner, other, admin] = await Promise.all([createUser(t), createUser(t), createUser(t, { isAdmin: true })]);
  });
  afterAll(() => t.close());

  describe('wire format of seeds 000 and 001', () => {
    it('answers POST /v1/key-store/ like seed 000: {status, data: {key, data, createdBy}} plus version and dates', async () => {
      const key = uniqueKey('seed');
      const res = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { theme: 'dark', retries: 3 } }).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(Object.keys(res.body)).toEqual(['status', 'data']);
      expect(res.body.status).toBe(true);
      expect(res.body.data).toEqual({
        key,
        data: { theme: 'dark', retries: 3 },
        createdBy: owner.id,
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
        version: 1,
      });
      expect(res.body.data.createdBy).toMatch(CREATED_BY);
      expect(res.body.data.key.length).toBeLessThanOrEqual(128);
    });

    it('answers PUT /v1/key-store/:keyStoreKey like seed 001', async () => {
      const key = uniqueKey('seed');
      await createEntry(t, owner, key, { a: 1 });
      const res = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { b: 2 }, force: false }).expect(200);
      expect(Object.keys(res.body)).toEqual(['status', 'data']);
      expect(res.body).toEqual({
        status: true,
        data: { key, data: { a: 1, b: 2 }, createdBy: owner.id, createdAt: expect.stringMatching(ISO_DATE), updatedAt: expect.stringMatching(ISO_DATE), version: 2 },
      });
      expect(res.body.data.createdBy).toMatch(CREATED_BY);
    });

    it('answers the seeds\' 401 and 404 examples exactly', async () => {
      const noToken = await t.http.post('/v1/key-store/').send({ key: uniqueKey(), data: {} }).expect(401);
      expect(noToken.body).toEqual(appliveryError(4002, 'No auth token'));
      const missing = uniqueKey('missing');
      const notFound = await t.http.put(`/v1/key-store/${missing}`).set(owner.auth).send({ data: { a: 1 } }).expect(404);
      expect(notFound.body).toEqual(appliveryError(3001, 'Entity not found'));
    });

    it('accepts the path with and without the trailing slash', async () => {
      const key = uniqueKey('slash');
      await t.http.post('/v1/key-store').set(owner.auth).send({ key, data: {} }).expect(200);
      await t.http.get(`/v1/key-store/${key}/`).set(owner.auth).expect(200);
      await t.http.get(`/v1/key-store?prefix=${key}`).set(owner.auth).expect(200);
    });
  });

  describe('every code of the SPEC §2 table', () => {
    it('3000 Validation Error with {field, message} for a bad body, path or query', async () => {
      const body = await t.http.post('/v1/key-store/').set(owner.auth).send({ key: 'Bad Key', data: [] }).expect(400);
      expect(body.body.status).toBe(false);
      expect(body.body.error.code).toBe(3000);
      expect(body.body.error.message).toBe('Validation Error');
      expect(body.body.error.data).toEqual(
        expect.arrayContaining([
          { field: 'key', message: expect.stringContaining('key must be 3-128 characters') },
          { field: 'data', message: 'data must be an object' },
        ]),
      );
      const path = await t.http.get('/v1/key-store/NOT-A-KEY').set(owner.auth).expect(400);
      expect(path.body.error).toEqual({ code: 3000, message: 'Validation Error', data: [{ field: 'keyStoreKey', message: expect.any(String) }] });
      const query = await t.http.get('/v1/key-store/?limit=0').set(owner.auth).expect(400);
      expect(query.body.error.code).toBe(3000);
      expect(query.body.error.data.map((e: { field: string }) => e.field)).toEqual(['limit']);
      // Path and query outcomes are remembered per value (src/http/validation.ts): asked again,
      // the same answers; values too long to remember are checked every time, with the same rule.
      expect((await t.http.get('/v1/key-store/NOT-A-KEY').set(owner.auth).expect(400)).body).toEqual(path.body);
      expect((await t.http.get('/v1/key-store/?limit=0').set(owner.auth).expect(400)).body).toEqual(query.body);
      const long = `/v1/key-store/${'a'.repeat(600)}`;
      const first = await t.http.get(long).set(owner.auth).expect(400);
      expect(first.body.error.data).toEqual([{ field: 'keyStoreKey', message: 'keyStoreKey must be shorter than or equal to 128 characters' }]);
      expect((await t.http.get(long).set(owner.auth).expect(400)).body).toEqual(first.body);
      const key = uniqueKey('remembered');
      await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { n: 1 } }).expect(200);
      for (let i = 0; i < 2; i++) expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200)).body.data.data).toEqual({ n: 1 });
    });

    it('3001 Entity not found for GET, PUT and DELETE of a missing key', async () => {
      const key = uniqueKey('absent');
      for (const res of [
        await t.http.get(`/v1/key-store/${key}`).set(owner.auth),
        await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: {} }),
        await t.http.delete(`/v1/key-store/${key}`).set(owner.auth),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(appliveryError(3001, 'Entity not found'));
      }
    });

    it('4002 No auth token on every route', async () => {
      const key = uniqueKey();
      for (const res of [
        await t.http.post('/v1/key-store/').send({ key, data: {} }),
        await t.http.get('/v1/key-store/'),
        await t.http.get(`/v1/key-store/${key}`),
        await t.http.put(`/v1/key-store/${key}`).send({ data: {} }),
        await t.http.delete(`/v1/key-store/${key}`),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual(appliveryError(4002, 'No auth token'));
      }
    });

    it('4004 Invalid Token for a malformed or wrongly signed token', async () => {
      const garbage = await t.http.get('/v1/key-store/').set('Authorization', 'Bearer not-a-token').expect(401);
      expect(garbage.body).toEqual(appliveryError(4004, 'Invalid Token'));
      const [header, payload] = owner.token.split('.');
      const forged = await t.http.get('/v1/key-store/').set('Authorization', `Bearer ${header}.${payload}.AAAA`).expect(401);
      expect(forged.body).toEqual(appliveryError(4004, 'Invalid Token'));
    });

    it('4005 Token Expired for an expired token', async () => {
      const pat = await t.http
        .post('/v1/personal-access-tokens')
        .set(owner.auth)
        .send({ name: 'expiring', expiresAt: new Date(Date.now() + 60_000).toISOString() })
        .expect(200);
      await t.db.query("UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [pat.body.data.id]);
      const res = await t.http.get('/v1/key-store/').set('Authorization', `Bearer ${pat.body.data.token}`).expect(401);
      expect(res.body).toEqual(appliveryError(4005, 'Token Expired'));
    });

    it('4003 Forbidden when someone else changes an entry', async () => {
      const key = uniqueKey('owned');
      await createEntry(t, owner, key, { a: 1 });
      const res = await t.http.put(`/v1/key-store/${key}`).set(other.auth).send({ data: { a: 2 } }).expect(403);
      expect(res.body).toEqual(appliveryError(4003, 'Forbidden - You are not allowed to perform this action'));
    });

    it('5001 Conflict with HTTP 409 for an existing key', async () => {
      const key = uniqueKey('taken');
      await createEntry(t, owner, key, { a: 1 });
      const res = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { a: 2 } }).expect(409);
      expect(res.body).toEqual(appliveryError(5001, 'Conflict'));
      expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth)).body.data.data).toEqual({ a: 1 });
    });

    it('5001 Conflict with HTTP 412 for a stale If-Match', async () => {
      const key = uniqueKey('stale');
      await createEntry(t, owner, key, { a: 1 });
      await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { a: 2 } }).expect(200);
      const res = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).set('If-Match', '"1"').send({ data: { a: 3 } }).expect(412);
      expect(res.body).toEqual(appliveryError(5001, 'Conflict'));
    });

    it('413 in the envelope when data is over KEYWARD_KEYSTORE_MAX_DATA_BYTES (64 KiB by default)', async () => {
      // {"v":"…"} is 8 bytes plus the string: exactly 65536 bytes is allowed, one more is not.
      const key = uniqueKey('size');
      await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { v: 'x'.repeat(65536 - 8) } }).expect(200);
      const over = await t.http.post('/v1/key-store/').set(owner.auth).send({ key: uniqueKey('size'), data: { v: 'x'.repeat(65536 - 7) } }).expect(413);
      expect(over.body).toEqual({
        status: false,
        error: { code: 3000, message: 'Payload Too Large', data: [{ field: 'data', message: 'data must be at most 65536 bytes as JSON' }] },
      });
    });
  });

  describe('key rule, on the body and on the path', () => {
    it('is the seed pattern without the ^^ typo', () => {
      expect(KEY_PATTERN.source).toBe('^(?!admin)[a-z][a-z0-9-_]+[a-z0-9]$');
      expect(KEY_PATTERN.test('ab')).toBe(false);
      expect(KEY_PATTERN.test('abc')).toBe(true);
    });

    it.each([
      ['admin-x', 'the admin prefix'],
      ['administrator', 'the admin prefix'],
      ['admin', 'the admin prefix'],
      ['ab', 'two characters (the pattern needs at least three)'],
      ['a', 'one character'],
      ['1abc', 'a digit first'],
      ['-abc', 'a hyphen first'],
      ['_abc', 'an underscore first'],
      ['abc-', 'a hyphen last'],
      ['abc_', 'an underscore last'],
      ['Abc', 'an uppercase letter'],
      ['abC', 'an uppercase letter last'],
      ['a.bc', 'a dot'],
      ['a bc', 'a space'],
      ['a'.repeat(129), '129 characters'],
    ])('refuses %j (%s) with 3000 on POST and on GET/PUT/DELETE paths, never 404', async (key) => {
      const created = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: {} }).expect(400);
      expect(created.body.error.code).toBe(3000);
      expect(created.body.error.data.map((e: { field: string }) => e.field)).toContain('key');
      const path = `/v1/key-store/${encodeURIComponent(key)}`;
      for (const res of [
        await t.http.get(path).set(owner.auth),
        await t.http.put(path).set(owner.auth).send({ data: {} }),
        await t.http.delete(path).set(owner.auth),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe(3000);
        expect(res.body.error.data.map((e: { field: string }) => e.field)).toContain('keyStoreKey');
      }
    });

    it('accepts adm, "admin" later in the key, three characters, inner - and _, and exactly 128 characters', async () => {
      const suffix = uniqueKey('k').slice(2);
      const accepted = ['adm', `adm-${suffix}`, `x-admin-${suffix}`, `q${suffix.slice(0, 2)}`, `a_b-c${suffix}`, `z${suffix}`.padEnd(128, '9')];
      expect(accepted.at(-1)).toHaveLength(128);
      for (const key of accepted) {
        const res = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { key } });
        expect(res.status, key).toBe(200);
        const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
        expect(read.body.data.data).toEqual({ key });
      }
    });
  });

  describe('data', () => {
    it.each([
      ['an array', []],
      ['null', null],
      ['a string', 'text'],
      ['a number', 42],
      ['a boolean', true],
      ['missing', undefined],
    ])('must be a JSON object, not %s', async (_what, data) => {
      const res = await t.http.post('/v1/key-store/').set(owner.auth).send({ key: uniqueKey(), data }).expect(400);
      expect(res.body.error.code).toBe(3000);
      expect(res.body.error.data).toContainEqual({ field: 'data', message: 'data must be an object' });
    });

    it('refuses non-boolean flags, a malformed JSON body and a body that is not an object', async () => {
      const flag = await t.http.post('/v1/key-store/').set(owner.auth).send({ key: uniqueKey(), data: {}, force: 'yes' }).expect(400);
      expect(flag.body.error.data).toContainEqual({ field: 'force', message: 'force must be a boolean value' });
      const put = await t.http.put(`/v1/key-store/${uniqueKey()}`).set(owner.auth).send({ data: [1] }).expect(400);
      expect(put.body.error.data).toContainEqual({ field: 'data', message: 'data must be an object' });
      const malformed = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send('{"key":').expect(400);
      expect(malformed.body).toEqual({ status: false, error: { code: 3000, message: 'Validation Error', data: [{ field: 'body', message: 'Malformed JSON' }] } });
      // JSON.parse's own messages can quote the body, which may hold the very secret being stored.
      for (const broken of ['{"key": "k-abc", "data": {"password": "hunter2-secret"} oops}', '"hunter2-secret"', 'hunter2-secret']) {
        const res = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send(broken).expect(400);
        expect(res.body.error).toEqual({ code: 3000, message: 'Validation Error', data: [{ field: 'body', message: 'Malformed JSON' }] });
        expect(res.text).not.toContain('hunter2');
      }
      const array = await t.http.post('/v1/key-store/').set(owner.auth).send([{ key: uniqueKey(), data: {} }]).expect(400);
      expect(array.body.error.code).toBe(3000);
    });

    it('refuses what it could not store as sent: invalid UTF-8 and numbers beyond a double', async () => {
      const key = uniqueKey();
      const invalidUtf8 = Buffer.concat([Buffer.from(`{"key":"${key}","data":{"v":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
      const bytes = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').serialize(asBytes).send(invalidUtf8).expect(400);
      expect(bytes.body.error).toEqual({ code: 3000, message: 'Validation Error', data: [{ field: 'body', message: 'Body is not valid UTF-8' }] });
      for (const number of ['1e400', '-1E+309', '9'.repeat(400)]) {
        const res = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send(`{"key":"${key}","data":{"n":[1,${number}]}}`).expect(400);
        expect(res.body.error.data).toEqual([{ field: 'body', message: 'A number in the body is too large to store' }]);
      }
      await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(404);
      // Large but finite numbers, and such text inside strings, are stored.
      const fine = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send(`{"key":"${key}","data":{"n":1e300,"s":"1e400 é"}}`).expect(200);
      expect(fine.body.data.data).toEqual({ n: 1e300, s: '1e400 é' });
    });

    it('counts the size in UTF-8 bytes and also limits the result of a merge', async () => {
      // 40000 two-byte characters: 40008 characters of JSON, 80008 bytes.
      const wide = await t.http.post('/v1/key-store/').set(owner.auth).send({ key: uniqueKey(), data: { v: 'é'.repeat(40000) } }).expect(413);
      expect(wide.body.error.code).toBe(3000);
      const key = uniqueKey('grow');
      await createEntry(t, owner, key, { a: 'x'.repeat(40000) });
      const merged = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { b: 'y'.repeat(30000) } }).expect(413);
      expect(merged.body.error.message).toBe('Payload Too Large');
      const upsert = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { b: 'y'.repeat(30000) }, createOrUpdate: true }).expect(413);
      expect(upsert.body.error.code).toBe(3000);
      const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
      expect(read.body.data.version).toBe(1);
      expect(Object.keys(read.body.data.data)).toEqual(['a']);
    });

    it('keeps nested structures, unicode and JSON types as sent', async () => {
      const data = { nested: { list: [1, 'two', { three: 3 }], empty: {} }, text: 'ünïcödé ✓ 🚀', flag: false, nothing: null, n: -1.5e-7 };
      const key = uniqueKey('types');
      await createEntry(t, owner, key, data);
      expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200)).body.data.data).toEqual(data);
    });

    it('stores "__proto__", "constructor" and "prototype" keys as plain data, without polluting any prototype', async () => {
      const key = uniqueKey('proto');
      const body = `{"key":"${key}","data":{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":1,"safe":1}}`;
      const created = await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send(body).expect(200);
      expect(JSON.parse(created.text).data.data).toEqual(JSON.parse(body).data);

      const merge = `{"data":{"__proto__":{"polluted":"again"},"constructor":"text","added":true}}`;
      const merged = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).set('Content-Type', 'application/json').send(merge).expect(200);
      const upsert = `{"key":"${key}","createOrUpdate":true,"data":{"__proto__":{"polluted":"thrice"}}}`;
      await t.http.post('/v1/key-store/').set(owner.auth).set('Content-Type', 'application/json').send(upsert).expect(200);

      const read = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
      const stored = JSON.parse(read.text).data.data;
      expect(Object.keys(stored)).toEqual(['__proto__', 'constructor', 'prototype', 'safe', 'added']);
      expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ polluted: 'thrice' });
      expect(stored.constructor).toBe('text');
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      expect(JSON.parse(merged.text).data.data.added).toBe(true);
      // The app runs in this process: a polluted prototype would show here.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });
  });

  describe('merge and replace', () => {
    it('POST: 409 on an existing key; createOrUpdate merges shallowly; force replaces; force wins over createOrUpdate', async () => {
      const key = uniqueKey('post');
      await createEntry(t, owner, key, { a: 1, nested: { x: 1, y: 2 } });
      await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { b: 2 }, force: false, createOrUpdate: false }).expect(409);

      const merged = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { b: 2, nested: { z: 3 } }, createOrUpdate: true }).expect(200);
      expect(merged.body.data).toMatchObject({ data: { a: 1, b: 2, nested: { z: 3 } }, version: 2 });

      const replaced = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { c: 3 }, force: true }).expect(200);
      expect(replaced.body.data).toMatchObject({ data: { c: 3 }, version: 3 });

      const both = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { d: 4 }, force: true, createOrUpdate: true }).expect(200);
      expect(both.body.data).toMatchObject({ data: { d: 4 }, version: 4 });
      expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth)).body.data.data).toEqual({ d: 4 });
    });

    it('POST with force or createOrUpdate on a new key creates it at version 1', async () => {
      for (const flags of [{ force: true }, { createOrUpdate: true }]) {
        const key = uniqueKey('upsert');
        const res = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { n: 1 }, ...flags }).expect(200);
        expect(res.body.data).toMatchObject({ key, data: { n: 1 }, version: 1, createdBy: owner.id });
      }
    });

    it('PUT merges shallowly (null is a value), replaces with force, and changes nothing without data', async () => {
      const key = uniqueKey('put');
      const created = await createEntry(t, owner, key, { a: 1, b: 2, nested: { x: 1 } });
      const merged = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { b: null, c: 3, nested: { y: 2 } } }).expect(200);
      expect(merged.body.data).toMatchObject({ data: { a: 1, b: null, c: 3, nested: { y: 2 } }, version: 2, createdAt: created.createdAt });
      expect(merged.body.data.updatedAt >= created.updatedAt).toBe(true);

      const replaced = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { only: true }, force: true }).expect(200);
      expect(replaced.body.data).toMatchObject({ data: { only: true }, version: 3 });

      const untouched = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({}).expect(200);
      expect(untouched.body.data).toEqual(replaced.body.data);
      const emptyMerge = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: {} }).expect(200);
      expect(emptyMerge.body.data).toMatchObject({ data: { only: true }, version: 4 });
      const emptied = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: {}, force: true }).expect(200);
      expect(emptied.body.data).toMatchObject({ data: {}, version: 5 });
    });
  });

  describe('ownership', () => {
    it('lets anyone read, but only the creator or an admin change or delete', async () => {
      const key = uniqueKey('own');
      await createEntry(t, owner, key, { a: 1 });
      await t.http.get(`/v1/key-store/${key}`).set(other.auth).expect(200);

      for (const res of [
        await t.http.put(`/v1/key-store/${key}`).set(other.auth).send({ data: { a: 2 } }),
        await t.http.put(`/v1/key-store/${key}`).set(other.auth).send({ data: { a: 2 }, force: true }),
        await t.http.post('/v1/key-store/').set(other.auth).send({ key, data: { a: 2 }, force: true }),
        await t.http.post('/v1/key-store/').set(other.auth).send({ key, data: { a: 2 }, createOrUpdate: true }),
        await t.http.delete(`/v1/key-store/${key}`).set(other.auth),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe(4003);
      }
      // A plain create of a taken key is a conflict whoever asks.
      await t.http.post('/v1/key-store/').set(other.auth).send({ key, data: {} }).expect(409);
      const unchanged = await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
      expect(unchanged.body.data).toMatchObject({ data: { a: 1 }, version: 1 });

      const byAdmin = await t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { b: 2 } }).expect(200);
      expect(byAdmin.body.data).toMatchObject({ data: { a: 1, b: 2 }, version: 2, createdBy: owner.id });
      await t.http.post('/v1/key-store/').set(admin.auth).send({ key, data: { c: 3 }, force: true }).expect(200);
      await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { d: 4 } }).expect(200);
      const deleted = await t.http.delete(`/v1/key-store/${key}`).set(admin.auth).expect(200);
      expect(deleted.body.data).toMatchObject({ key, data: { c: 3, d: 4 }, version: 4, createdBy: owner.id });
      await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(404);
    });

    it('lets the creator delete, answering with the deleted entry; the key can then be created again', async () => {
      const key = uniqueKey('del');
      const created = await createEntry(t, owner, key, { a: 1 });
      const deleted = await t.http.delete(`/v1/key-store/${key}`).set(owner.auth).expect(200);
      expect(deleted.body).toEqual({ status: true, data: created });
      expect(deleted.headers.etag).toBe('"1"');
      await t.http.delete(`/v1/key-store/${key}`).set(owner.auth).expect(404);
      const again = await t.http.post('/v1/key-store/').set(other.auth).send({ key, data: { b: 2 } }).expect(200);
      expect(again.body.data).toMatchObject({ version: 1, createdBy: other.id, data: { b: 2 } });
    });
  });

  describe('version, ETag and If-Match', () => {
    it('sends the version as ETag on every single-entry answer', async () => {
      const key = uniqueKey('etag');
      const created = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { a: 1 } }).expect(200);
      expect(created.headers.etag).toBe('"1"');
      expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200)).headers.etag).toBe('"1"');
      const updated = await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { a: 2 } }).expect(200);
      expect(updated.headers.etag).toBe('"2"');
      expect(updated.body.data.version).toBe(2);
      const upserted = await t.http.post('/v1/key-store/').set(owner.auth).send({ key, data: { a: 3 }, createOrUpdate: true }).expect(200);
      expect(upserted.headers.etag).toBe('"3"');
      // A conditional GET with the current ETag is answered 304 Not Modified.
      await t.http.get(`/v1/key-store/${key}`).set(owner.auth).set('If-None-Match', '"3"').expect(304);
      // HEAD too; a 304 carries no Content-Length other than the 200's, so none at all here.
      const head = await t.http.head(`/v1/key-store/${key}`).set(owner.auth).set('If-None-Match', 'W/"3"').expect(304);
      expect(head.headers).not.toHaveProperty('content-length');
      expect(head.headers.etag).toBe('"3"');
      await t.http.head(`/v1/key-store/${key}`).set(owner.auth).set('If-None-Match', '"2"').expect(200);
    });

    it('answers 304 to fetch, which adds Cache-Control and Pragma no-cache to a conditional request', async () => {
      const key = uniqueKey('fetch');
      await createEntry(t, owner, key, { a: 1 });
      await t.app.listen(0, '127.0.0.1');
      const url = `${await t.app.getUrl()}/v1/key-store/${key}`;
      // Node's fetch, as browsers do, sends the headers the Fetch standard adds (cache mode no-store).
      const fresh = await fetch(url, { headers: { ...owner.auth, 'If-None-Match': '"1"' } });
      expect(fresh.status).toBe(304);
      expect(await fresh.text()).toBe('');
      const stale = await fetch(url, { headers: { ...owner.auth, 'If-None-Match': '"0"' } });
      expect(stale.status).toBe(200);
      expect(((await stale.json()) as { data: { version: number } }).data.version).toBe(1);
    });

    it('accepts If-Match as "n", n, W/"n", * and lists; refuses a stale one with 412 unless force', async () => {
      const key = uniqueKey('ifmatch');
      await createEntry(t, owner, key, { n: 0 });
      const put = (ifMatch: string, body: object = { data: { n: 1 } }) => t.http.put(`/v1/key-store/${key}`).set(owner.auth).set('If-Match', ifMatch).send(body);

      expect((await put('"1"')).status).toBe(200);
      expect((await put('2')).status).toBe(200);
      expect((await put('W/"3"')).status).toBe(200);
      expect((await put('*')).status).toBe(200);
      expect((await put('"1", "5"')).status).toBe(200);
      expect((await t.http.get(`/v1/key-store/${key}`).set(owner.auth)).body.data.version).toBe(6);

      // "06" is another entity tag than "6" (RFC 9110 compares them as strings).
      for (const stale of ['"5"', '5', 'W/"1"', '"7"', 'garbage', '"6', '"1", "2"', '"06"', '06']) {
        const res = await put(stale, { data: { lost: stale } });
        expect(res.status, stale).toBe(412);
        expect(res.body).toEqual(appliveryError(5001, 'Conflict'));
      }
      const stored = (await t.http.get(`/v1/key-store/${key}`).set(owner.auth)).body.data;
      expect(stored.version).toBe(6);
      expect(stored.data).not.toHaveProperty('lost');

      const forced = await put('"1"', { data: { forced: true }, force: true }).expect(200);
      expect(forced.body.data).toMatchObject({ data: { forced: true }, version: 7 });
    });

    it('checks If-Match on DELETE too', async () => {
      const key = uniqueKey('ifmatch-del');
      await createEntry(t, owner, key, { a: 1 });
      await t.http.put(`/v1/key-store/${key}`).set(owner.auth).send({ data: { a: 2 } }).expect(200);
      const stale = await t.http.delete(`/v1/key-store/${key}`).set(owner.auth).set('If-Match', '"1"').expect(412);
      expect(stale.body.error.code).toBe(5001);
      await t.http.get(`/v1/key-store/${key}`).set(owner.auth).expect(200);
      await t.http.delete(`/v1/key-store/${key}`).set(owner.auth).set('If-Match', '"2"').expect(200);
    });

    it('answers 403 before 412: a stranger learns nothing from If-Match', async () => {
      const key = uniqueKey('order');
      await createEntry(t, owner, key, { a: 1 });
      await t.http.put(`/v1/key-store/${key}`).set(other.auth).set('If-Match', '"9"').send({ data: {} }).expect(403);
    });
  });

  it('answers unknown routes under /v1/key-store in the Applivery envelope', async () => {
    const res = await t.http.get(`/v1/key-store/${uniqueKey()}/extra`).set(owner.auth).expect(404);
    expect(res.body).toEqual(appliveryError(3001, 'Entity not found'));
  });
});
