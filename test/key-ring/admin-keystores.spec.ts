import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createProject, createUser, login, type TestUser } from '../support/auth.js';
import { cli } from '../support/cli.js';
import { createEnvironment, keyBody, secretKey } from '../project-keys/support.js';
import { aesKeyBase64, DAY, isoIn } from '../support/key-material.js';
import { startIsolatedTestApp, startTestApp, type IsolatedTestApp } from '../support/test-app.js';

describe('/api/adm/KeyStores', () => {
  // The key ring is global state: this file gets a database of its own.
  let t: IsolatedTestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (body: Record<string, unknown>) => t.http.post('/api/adm/KeyStores').set(admin.auth).send(body);
  const list = async (query = '') => (await t.http.get(`/api/adm/KeyStores${query}`).set(admin.auth).expect(200)).body.entries as Array<Record<string, unknown>>;
  const statusOf = async (id: string) => (await list(`?id=${id}`))[0].status;

  it('generated an active entry at start-up because none existed', async () => {
    const entries = await list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 'Active', isActive: true, keyBits: 256, protectedRecords: 0 });
    const lifetime = Date.parse(entries[0].expirationDate as string) - Date.parse(entries[0].activationDate as string);
    expect(lifetime).toBe(365 * DAY);
  });

  it('creates an entry from base64 material in the seed\'s envelope', async () => {
    const res = await create({ key: aesKeyBase64(16), activationDate: isoIn(40 * DAY), expirationDate: isoIn(400 * DAY), description: 'Q1 Encryption Key' }).expect(200);
    expect(res.body).toEqual({ success: true, code: 200, errorMessage: null, id: expect.stringMatching(/^[0-9a-f-]{36}$/), keystoreId: res.body.id });
    const [entry] = await list(`?id=${res.body.id}`);
    expect(entry).toMatchObject({ status: 'Scheduled', isActive: false, keyBits: 128, description: 'Q1 Encryption Key', createdBy: admin.id });
  });

  it.each([
    ['not base64', { key: 'not base64!!' }, /strict base64/],
    ['non-canonical base64', { key: `${aesKeyBase64(16).slice(0, 21)}B==` }, /strict base64/],
    ['20 bytes', { key: aesKeyBase64(20) }, /16, 24 or 32/],
    ['8 bytes (DES is not AES)', { key: aesKeyBase64(8) }, /16, 24 or 32/],
    ['expiration before activation', { activationDate: isoIn(20 * DAY), expirationDate: isoIn(10 * DAY) }, /expirationDate must be after activationDate/],
    ['expiration equal to activation', { activationDate: '2031-01-01T00:00:00Z', expirationDate: '2031-01-01T00:00:00Z' }, /after activationDate/],
    ['expiration in the past', { activationDate: '2020-01-01T00:00:00Z', expirationDate: '2021-01-01T00:00:00Z' }, /expirationDate must be in the future/],
    ['a date that is not ISO 8601', { activationDate: 'next tuesday' }, /activationDate must be an ISO 8601/],
    // ISO 8601 forms a date-time field cannot be read as: each used to reach the database as NaN.
    ['a week date', { activationDate: '2031-W01-1' }, /activationDate must be an ISO 8601 date-time/],
    ['an ordinal date', { activationDate: '2031-123' }, /activationDate must be an ISO 8601 date-time/],
    ['the basic format', { expirationDate: '20310101T000000Z' }, /expirationDate must be an ISO 8601 date-time/],
    ['a month', { expirationDate: '2031-01' }, /expirationDate must be an ISO 8601 date-time/],
    ['a day that does not exist', { expirationDate: '2031-02-29T00:00:00Z' }, /expirationDate must be an ISO 8601 date-time/],
    // Stored to the millisecond: a finer time would be cut, and two such entries collide as "the same activation".
    // An instant past year 9999 would be answered as +010000-…, which no RFC 3339 reader (this one included) takes back.
    ['an instant after year 9999', { expirationDate: '9999-12-31T23:30:00-01:00' }, /expirationDate must be an ISO 8601 date-time/],
    ['a time finer than a millisecond', { activationDate: '2031-05-01T00:00:00.0001Z' }, /activationDate must be .*to the millisecond/],
    ['a missing key', { key: undefined }, /key/],
  ])('refuses %s with 400 and says what is wrong', async (_name, override, message) => {
    const body = { key: aesKeyBase64(), activationDate: isoIn(50 * DAY), expirationDate: isoIn(500 * DAY), ...override };
    const res = await create(body).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(res.body.errorMessage).toMatch(message);
  });

  it('reads a date-time without an offset as UTC and a bare date as its UTC day, whatever the time zones', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    let id: string;
    try {
      id = (await create({ key: aesKeyBase64(), activationDate: '2032-03-01T02:00:00', expirationDate: '2033-03-01' }).expect(200)).body.id;
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect((await list(`?id=${id}`))[0]).toMatchObject({ activationDate: '2032-03-01T02:00:00.000Z', expirationDate: '2033-03-01T00:00:00.000Z' });
    expect((await list('?activationDate=2032-03-01T02:00:00Z')).map((e) => e.id)).toEqual([id]);

    // An instance whose database sessions run in another time zone finds it on the same UTC day.
    const pacific = await startTestApp({ DATABASE_URL: `${t.databaseUrl}?options=${encodeURIComponent('-c TimeZone=America/Los_Angeles')}` });
    try {
      const [{ TimeZone: sessionZone }] = await pacific.db.query('SHOW TimeZone');
      expect(sessionZone).toBe('America/Los_Angeles');
      const day = async (date: string) => (await pacific.http.get(`/api/adm/KeyStores?activationDate=${date}`).set(admin.auth).expect(200)).body.entries.map((e: { id: string }) => e.id);
      expect(await day('2032-03-01')).toEqual([id]);
      expect(await day('2032-02-29')).toEqual([]);
    } finally {
      await pacific.close();
    }
  });

  it('refuses material already in the ring and an activation date already taken', async () => {
    const key = aesKeyBase64();
    const activationDate = isoIn(60 * DAY);
    await create({ key, activationDate, expirationDate: isoIn(600 * DAY) }).expect(200);
    const sameKey = await create({ key, activationDate: isoIn(61 * DAY), expirationDate: isoIn(600 * DAY) }).expect(400);
    expect(sameKey.body.errorMessage).toBe('The key material is already in the key ring');
    const sameDate = await create({ key: aesKeyBase64(), activationDate, expirationDate: isoIn(601 * DAY) }).expect(400);
    expect(sameDate.body.errorMessage).toMatch(/already activates at .*ambiguous/);
  });

  it('generates an entry with a CSPRNG and never returns or stores material in the clear', async () => {
    const material = aesKeyBase64();
    const imported = await create({ key: material, activationDate: isoIn(70 * DAY), expirationDate: isoIn(700 * DAY) }).expect(200);
    const generated = await t.http.post('/api/adm/KeyStores/generate').set(admin.auth).send({ bits: 192, activationDate: isoIn(71 * DAY), expirationDate: isoIn(700 * DAY) }).expect(200);
    expect(Object.keys(generated.body).sort()).toEqual(['code', 'errorMessage', 'id', 'keystoreId', 'success']);
    expect((await list(`?id=${generated.body.id}`))[0].keyBits).toBe(192);
    await t.http.post('/api/adm/KeyStores/generate').set(admin.auth).send({ bits: 100, activationDate: isoIn(72 * DAY), expirationDate: isoIn(700 * DAY) }).expect(400);

    const raw = Buffer.from(material, 'base64');
    const everything = JSON.stringify(await list());
    expect(everything).not.toContain(material);
    const [entry] = await list(`?id=${imported.body.id}`);
    expect(entry.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.fingerprint).not.toBe(createHash('sha256').update(raw).digest('hex'));
    // The scheme stored fingerprints were taken with: changing it would make them incomparable to new ones.
    const fingerprintKey = Buffer.from(hkdfSync('sha256', Buffer.from(inject('masterKey'), 'base64'), Buffer.alloc(0), 'keyward:fingerprint', 32));
    expect(entry.fingerprint).toBe(createHmac('sha256', fingerprintKey).update(raw).digest('hex'));
    const [row] = await t.db.query('SELECT * FROM key_ring_entries WHERE id = $1', [imported.body.id]);
    expect(Buffer.from(row.wrapped_key).includes(raw)).toBe(false);
    expect(JSON.stringify(row)).not.toContain(material);
  });

  it('reports Scheduled, Active, Superseded and Expired, and which entry is actual', async () => {
    // Explicit dates; the expired entry is aged in SQL because the API refuses past expirations.
    const make = async (activationDays: number, expirationDays: number) =>
      (await create({ key: aesKeyBase64(), activationDate: isoIn(activationDays * DAY), expirationDate: isoIn(expirationDays * DAY) }).expect(200)).body.id as string;
    const [startup] = await list('?isActive=true');
    await t.db.query("UPDATE key_ring_entries SET activation_date = now() - interval '90 days' WHERE id = $1", [startup.id]);
    const expired = await make(-80, 10);
    await t.db.query("UPDATE key_ring_entries SET expiration_date = now() - interval '1 day' WHERE id = $1", [expired]);
    const superseded = await make(-30, 300);
    const active = await make(-1, 300);
    const scheduled = await make(10, 300);

    expect(await statusOf(startup.id as string)).toBe('Superseded');
    expect(await statusOf(expired)).toBe('Expired');
    expect(await statusOf(superseded)).toBe('Superseded');
    expect(await statusOf(active)).toBe('Active');
    expect(await statusOf(scheduled)).toBe('Scheduled');
    const actual = await t.http.get('/api/adm/KeyStores/actual').set(admin.auth).expect(200);
    expect(actual.body).toMatchObject({ success: true, code: 200, errorMessage: null, entry: { id: active, status: 'Active', isActive: true } });
    expect((await list('?isActive=true')).map((e) => e.id)).toEqual([active]);
    expect((await list('?isActive=false')).map((e) => e.id)).not.toContain(active);
    const day = isoIn(-30 * DAY).slice(0, 10);
    expect((await list(`?activationDate=${day}`)).map((e) => e.id)).toContain(superseded);
    await t.http.get('/api/adm/KeyStores?isActive=maybe').set(admin.auth).expect(400);

    // The active one expires: the latest started, unexpired entry takes over.
    await t.db.query("UPDATE key_ring_entries SET expiration_date = now() - interval '1 second' WHERE id = $1", [active]);
    expect((await t.http.get('/api/adm/KeyStores/actual').set(admin.auth).expect(200)).body.entry.id).toBe(superseded);
    expect(await statusOf(active)).toBe('Expired');
  });

  it('answers 404 in the envelope when no entry is in use', async () => {
    const saved: { id: string; expiration_date: Date }[] = await t.db.query(
      'SELECT id, expiration_date FROM key_ring_entries WHERE deleted_at IS NULL AND activation_date <= now() AND expiration_date > now()',
    );
    await t.db.query("UPDATE key_ring_entries SET expiration_date = now() - interval '1 second' WHERE id = ANY($1)", [saved.map((s) => s.id)]);
    try {
      const res = await t.http.get('/api/adm/KeyStores/actual').set(admin.auth).expect(404);
      expect(res.body).toEqual({ success: false, code: 404, errorMessage: 'Active KeyStore does not exist' });
    } finally {
      for (const s of saved) await t.db.query('UPDATE key_ring_entries SET expiration_date = $2 WHERE id = $1', [s.id, s.expiration_date]);
    }
  });

  it('updates description and expiration any time, activation only while Scheduled', async () => {
    const scheduled = (await create({ key: aesKeyBase64(), activationDate: isoIn(80 * DAY), expirationDate: isoIn(800 * DAY) }).expect(200)).body.id;
    const moved = await t.http.put(`/api/adm/KeyStores/${scheduled}`).set(admin.auth).send({ activationDate: isoIn(81 * DAY), description: 'moved' }).expect(200);
    expect(moved.body).toMatchObject({ success: true, id: scheduled, keystoreId: scheduled, entry: { description: 'moved', status: 'Scheduled' } });

    const [active] = await list('?isActive=true');
    const refused = await t.http.put(`/api/adm/KeyStores/${active.id}`).set(admin.auth).send({ activationDate: isoIn(1 * DAY) }).expect(400);
    expect(refused.body.errorMessage).toBe('activationDate can only change while the entry is Scheduled');
    const extended = await t.http.put(`/api/adm/KeyStores/${active.id}`).set(admin.auth).send({ expirationDate: isoIn(900 * DAY), description: 'extended' }).expect(200);
    expect(extended.body.entry).toMatchObject({ description: 'extended', status: 'Active' });
    await t.http.put(`/api/adm/KeyStores/${active.id}`).set(admin.auth).send({ expirationDate: '2020-01-01T00:00:00Z' }).expect(400);
    await t.http.put(`/api/adm/KeyStores/${scheduled}`).set(admin.auth).send({ expirationDate: isoIn(80 * DAY) }).expect(400);
    await t.http.put('/api/adm/KeyStores/3fa85f64-5717-4562-b3fc-2c963f66afa6').set(admin.auth).send({ description: 'x' }).expect(404);
    await t.http.put('/api/adm/KeyStores/not-a-uuid').set(admin.auth).send({ description: 'x' }).expect(400);
  });

  it('soft-deletes a scheduled entry but never the active one', async () => {
    const [active] = await list('?isActive=true');
    const refused = await t.http.delete(`/api/adm/KeyStores/${active.id}`).set(admin.auth).expect(400);
    expect(refused.body.errorMessage).toBe('The active entry cannot be deleted');

    const scheduled = (await create({ key: aesKeyBase64(), activationDate: isoIn(90 * DAY), expirationDate: isoIn(900 * DAY) }).expect(200)).body.id;
    await t.http.delete(`/api/admin/KeyStores/${scheduled}`).set(admin.auth).expect(200, { success: true, code: 200, errorMessage: null, id: scheduled, keystoreId: scheduled });
    expect(await list(`?id=${scheduled}`)).toEqual([expect.objectContaining({ status: 'Deleted', isActive: false })]);
    await t.http.delete(`/api/adm/KeyStores/${scheduled}`).set(admin.auth).expect(404);
  });

  it('is for administrators only', async () => {
    const user = await createUser(t);
    const res = await t.http.get('/api/adm/KeyStores').set(user.auth).expect(403);
    expect(res.body).toEqual({ success: false, code: 401, errorMessage: 'Forbidden - administrator rights are required' });
    await t.http.post('/api/adm/KeyStores/rewrap').set(user.auth).expect(403);
    await t.http.get('/api/adm/KeyStores/actual').expect(401);
  });

  it('re-wraps the ring under a new master key from the CLI; the old key then refuses to start', async () => {
    const material = aesKeyBase64();
    const id = (await create({ key: material, activationDate: isoIn(95 * DAY), expirationDate: isoIn(950 * DAY) }).expect(200)).body.id;
    // Values stored before the rotation, under the entry active now.
    const stored = { apiKey: 'sealed-before-master-rotation', n: 42 };
    await t.http.post('/v1/key-store/').set(admin.auth).send({ key: 'before-master-rotation', data: stored }).expect(200);
    const project = await createProject(t, admin);
    const [first, second] = [await createEnvironment(t, admin, project), await createEnvironment(t, admin, project)];
    const content = secretKey();
    await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody('fingerprinted', 'SECRET_KEY', [{ environmentName: first.name, content }])).expect(200);
    const fingerprintBefore = (await t.http.get(`/apiops/projects/${project}/keys/fingerprinted/`).set(admin.auth).expect(200)).body.key.cryptoKeyInfoEnvironmentList[0].fingerprint;
    const newKey = aesKeyBase64(32);
    const rotation = await cli(['master-key', 'rotate', '--new-key-stdin'], { env: { DATABASE_URL: t.databaseUrl }, stdin: `${newKey}\n` });
    expect(rotation).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/Re-wrapped \d+ key-ring entries/) });

    // This instance still runs on the old key: an entry it added now could be unwrapped by
    // neither key, and no instance could start any more. It refuses instead.
    const stale = await create({ key: aesKeyBase64(), activationDate: isoIn(96 * DAY), expirationDate: isoIn(960 * DAY) }).expect(503);
    expect(stale.body).toMatchObject({ success: false, errorMessage: expect.stringMatching(/must restart with the new one/) });
    const [{ count: oldWrapped }] = await t.db.query("SELECT count(*)::int AS count FROM key_ring_entries WHERE master_key_id <> (SELECT master_key_id FROM key_ring_master)");
    expect(oldWrapped).toBe(0);

    const rotated = await startTestApp({ DATABASE_URL: t.databaseUrl, KEYWARD_MASTER_KEY: newKey });
    try {
      expect((await rotated.app.get(KeyRing).keyFor(id)).equals(Buffer.from(material, 'base64'))).toBe(true);
      const auth = { Authorization: `Bearer ${await login(rotated, admin.username, admin.secret)}` };
      const read = await rotated.http.get('/v1/key-store/before-master-rotation').set(auth).expect(200);
      expect(read.body.data.data).toEqual(stored);
      // Fingerprints outlive the rotation: the same key stored after it has the same one, and
      // material already in the ring is still recognised.
      await rotated.http.put(`/apiops/projects/${project}/keys/fingerprinted/`).set(auth).send({ cryptoKeyInfoEnvironmentList: [{ environmentName: second.name, content }] }).expect(200);
      const after = (await rotated.http.get(`/apiops/projects/${project}/keys/fingerprinted/`).set(auth).expect(200)).body.key.cryptoKeyInfoEnvironmentList;
      expect(after.map((e: { fingerprint: string }) => e.fingerprint)).toEqual([fingerprintBefore, fingerprintBefore]);
      const again = await rotated.http.post('/api/adm/KeyStores').set(auth).send({ key: material, activationDate: isoIn(97 * DAY), expirationDate: isoIn(970 * DAY) }).expect(400);
      expect(again.body.errorMessage).toBe('The key material is already in the key ring');
      await rotated.http.post('/api/adm/KeyStores').set(auth).send({ key: aesKeyBase64(), activationDate: isoIn(98 * DAY), expirationDate: isoIn(980 * DAY) }).expect(200);
    } finally {
      await rotated.close();
    }
    await expect(startTestApp({ DATABASE_URL: t.databaseUrl })).rejects.toThrow(/KEYWARD_MASTER_KEY does not match/);
  });
});
