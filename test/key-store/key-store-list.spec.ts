import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createEntry, uniqueKey } from './entries.js';

// Every list here filters by a prefix of its own: other test files add entries to the same database.
describe('GET /v1/key-store/ (list)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  const list = (query: Record<string, string | number>) => t.http.get('/v1/key-store/').query(query).set(user.auth);

  async function readAll(prefix: string, limit: number): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await list({ prefix, limit, ...(cursor ? { cursor } : {}) }).expect(200);
      keys.push(...res.body.data.items.map((item: { key: string }) => item.key));
      cursor = res.body.data.nextCursor ?? undefined;
    } while (cursor);
    return keys;
  }

  it('answers {status, data: {items, nextCursor}} in key order with whole entries, nextCursor null on the last page', async () => {
    const prefix = uniqueKey('list');
    const keys = [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`];
    for (const key of keys) await createEntry(t, user, key, { key });
    const first = await list({ prefix, limit: 2 }).expect(200);
    expect(Object.keys(first.body)).toEqual(['status', 'data']);
    expect(first.body.status).toBe(true);
    expect(Object.keys(first.body.data)).toEqual(['items', 'nextCursor']);
    expect(first.body.data.items).toEqual([
      { key: `${prefix}-a`, data: { key: `${prefix}-a` }, createdBy: user.id, createdAt: expect.any(String), updatedAt: expect.any(String), version: 1 },
      expect.objectContaining({ key: `${prefix}-b`, data: { key: `${prefix}-b` } }),
    ]);
    expect(first.body.data.nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    const last = await list({ prefix, limit: 2, cursor: first.body.data.nextCursor }).expect(200);
    expect(last.body.data).toEqual({ items: [expect.objectContaining({ key: `${prefix}-c` })], nextCursor: null });

    const exact = await list({ prefix, limit: 3 }).expect(200);
    expect(exact.body.data.items).toHaveLength(3);
    expect(exact.body.data.nextCursor).toBeNull();
    const none = await list({ prefix: `${prefix}-zzz` }).expect(200);
    expect(none.body.data).toEqual({ items: [], nextCursor: null });
  });

  it('orders by byte order, so "-" < "0" < "_" < "a"', async () => {
    const prefix = uniqueKey('order');
    const keys = [`${prefix}a`, `${prefix}_`, `${prefix}0`, `${prefix}-`].map((key) => `${key}z`);
    for (const key of keys) await createEntry(t, user, key, {});
    expect(await readAll(prefix, 100)).toEqual([...keys].sort());
    expect([...keys].sort()).toEqual([`${prefix}-z`, `${prefix}0z`, `${prefix}_z`, `${prefix}az`]);
  });

  it('pages 20 at a time by default and at most 100', async () => {
    const prefix = uniqueKey('size');
    for (let i = 0; i < 21; i++) await createEntry(t, user, `${prefix}-${String(i).padStart(3, '0')}`, {});
    const defaulted = await list({ prefix }).expect(200);
    expect(defaulted.body.data.items).toHaveLength(20);
    expect(defaulted.body.data.nextCursor).not.toBeNull();
    const hundred = await list({ prefix, limit: 100 }).expect(200);
    expect(hundred.body.data.items).toHaveLength(21);
    const one = await list({ prefix, limit: 1 }).expect(200);
    expect(one.body.data.items.map((i: { key: string }) => i.key)).toEqual([`${prefix}-000`]);
  });

  it('treats "_" in a prefix literally, not as a LIKE wildcard', async () => {
    const prefix = uniqueKey('like');
    await createEntry(t, user, `${prefix}_x`, {});
    await createEntry(t, user, `${prefix}ax`, {});
    await createEntry(t, user, `${prefix}-x`, {});
    expect(await readAll(`${prefix}_`, 10)).toEqual([`${prefix}_x`]);
    expect(await readAll(`${prefix}-`, 10)).toEqual([`${prefix}-x`]);
    expect(await readAll(prefix, 10)).toEqual([`${prefix}-x`, `${prefix}_x`, `${prefix}ax`]);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    // Number() reads these as 16, 10 and 1; a page size is written in plain digits.
    [{ limit: '0x10' }, 'limit'],
    [{ limit: '1e1' }, 'limit'],
    [{ limit: ' 1' }, 'limit'],
    [{ prefix: 'UPPER' }, 'prefix'],
    [{ prefix: 'a%' }, 'prefix'],
    [{ prefix: 'a'.repeat(129) }, 'prefix'],
    [{ cursor: 'not a cursor!' }, 'cursor'],
    [{ cursor: Buffer.from('Not A Key').toString('base64url') }, 'cursor'],
    [{ cursor: Buffer.from('admin-key').toString('base64url') }, 'cursor'],
    [{ cursor: `${Buffer.from('some-key').toString('base64url')}=` }, 'cursor'],
    [{ cursor: 'zz' }, 'cursor'],
  ])('refuses %j with 3000 naming %s', async (query, field) => {
    const res = await list(query as Record<string, string | number>).expect(400);
    expect(res.body.status).toBe(false);
    expect(res.body.error.code).toBe(3000);
    expect(res.body.error.data.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('says in one message what a page size must be', async () => {
    for (const limit of ['0x10', '0', '101', 'ten']) {
      const res = await list({ limit }).expect(400);
      expect(res.body.error.data, limit).toEqual([{ field: 'limit', message: 'limit must be an integer from 1 to 100' }]);
    }
  });

  it('pages through every entry present at the start exactly once while entries are being added', async () => {
    const prefix = uniqueKey('keyset');
    const initial = Array.from({ length: 30 }, (_, i) => `${prefix}-${String(i * 10).padStart(3, '0')}`);
    await Promise.all(initial.map((key) => createEntry(t, user, key, { initial: true })));

    const seen: string[] = [];
    const addedAfterCursor: string[] = [];
    let cursor: string | undefined;
    let lastKey = '';
    let round = 0;
    do {
      round++;
      // New keys land before, inside and after the page being read, while it is read.
      const additions = [`${prefix}-${String(round * 7).padStart(3, '0')}x`, `${prefix}-${String(round * 23).padStart(3, '0')}y`, `${prefix}-${round}zz`];
      const [res] = await Promise.all([
        list({ prefix, limit: 7, ...(cursor ? { cursor } : {}) }),
        ...additions.map((key) => t.http.post('/v1/key-store/').set(user.auth).send({ key, data: { added: round } })),
      ]);
      expect(res.status).toBe(200);
      const keys: string[] = res.body.data.items.map((item: { key: string }) => item.key);
      expect(keys.length).toBeLessThanOrEqual(7);
      seen.push(...keys);
      if (keys.length > 0) lastKey = keys[keys.length - 1];
      cursor = res.body.data.nextCursor ?? undefined;
      // Anything added beyond the page just read must show up on a later page (if there is one).
      if (cursor) addedAfterCursor.push(...additions.filter((key) => key > lastKey));
    } while (cursor && round < 50);

    expect(cursor).toBeUndefined();
    expect(round).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    for (const key of initial) expect(seen).toContain(key);
    for (const key of addedAfterCursor) expect(seen).toContain(key);
  });
});
