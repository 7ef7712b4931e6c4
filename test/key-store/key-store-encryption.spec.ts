import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/auth.js';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/isolated-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createEntry, uniqueKey } from './entries.js';

/** Every column of a row as text, bytea both as UTF-8 and as Latin-1, so a marker cannot hide in an encoding. */
function rowText(row: Record<string, unknown>): string {
  return Object.values(row)
    .map((value) => (Buffer.isBuffer(value) ? `${value.toString('utf8')} ${value.toString('latin1')} ${value.toString('hex')}` : String(value)))
    .join(' ');
}

describe('/v1/key-store data at rest', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it('stores data only as ciphertext bound to the active key-ring entry', async () => {
    const marker = `marker${randomBytes(8).toString('hex')}`;
    const key = uniqueKey('secret');
    await createEntry(t, user, key, { [marker]: `value-${marker}`, nested: { deep: marker } });
    await t.http.put(`/v1/key-store/${key}`).set(user.auth).send({ data: { more: marker } }).expect(200);

    const rows: Record<string, unknown>[] = await t.db.query('SELECT * FROM key_store_entries WHERE key = $1', [key]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(Object.keys(row).sort()).toEqual(
      ['ciphertext', 'created_at', 'created_by', 'id', 'key', 'key_ring_entry_id', 'key_ring_entry_usable', 'updated_at', 'version'].sort(),
    );
    expect(rowText(row)).not.toContain(marker);
    expect(rowText(row)).not.toContain(Buffer.from(marker).toString('hex'));
    // The AES-GCM layout of aes-gcm.ts: version byte, 12-byte nonce, ciphertext, 16-byte tag.
    const ciphertext = row.ciphertext as Buffer;
    expect(ciphertext[0]).toBe(1);
    const plaintextLength = Buffer.byteLength(JSON.stringify((await t.http.get(`/v1/key-store/${key}`).set(user.auth)).body.data.data));
    expect(ciphertext.length).toBe(1 + 12 + plaintextLength + 16);
    const [active]: { id: string }[] = await t.db.query(
      'SELECT id FROM key_ring_entries WHERE deleted_at IS NULL AND activation_date <= now() AND expiration_date > now() ORDER BY activation_date DESC LIMIT 1',
    );
    expect(row.key_ring_entry_id).toBe(active.id);
    expect(row.key_ring_entry_usable).toBe(true);

    const everything: Record<string, unknown>[] = await t.db.query('SELECT * FROM key_ring_entries');
    for (const entry of everything) expect(rowText(entry)).not.toContain(marker);
  });

  it('seals each value with a fresh nonce: the same data twice gives different ciphertexts', async () => {
    const data = { same: 'data' };
    const [a, b] = [uniqueKey('nonce'), uniqueKey('nonce')];
    await createEntry(t, user, a, data);
    await createEntry(t, user, b, data);
    const rows: { ciphertext: Buffer }[] = await t.db.query('SELECT ciphertext FROM key_store_entries WHERE key = ANY($1)', [[a, b]]);
    expect(rows).toHaveLength(2);
    expect(rows[0].ciphertext.equals(rows[1].ciphertext)).toBe(false);
  });

  it('refuses a ciphertext copied onto another row (1000 Internal Error, nothing leaked)', async () => {
    const marker = `copied${randomBytes(8).toString('hex')}`;
    const [source, target] = [uniqueKey('source'), uniqueKey('target')];
    await createEntry(t, user, source, { secret: marker });
    await createEntry(t, user, target, { other: 'value' });
    try {
      await t.db.query(
        `UPDATE key_store_entries AS t SET ciphertext = s.ciphertext, key_ring_entry_id = s.key_ring_entry_id
           FROM key_store_entries AS s WHERE s.key = $1 AND t.key = $2`,
        [source, target],
      );
      const res = await t.http.get(`/v1/key-store/${target}`).set(user.auth).expect(500);
      expect(res.body).toEqual({ status: false, error: { code: 1000, message: 'Internal Error' } });
      expect(res.text).not.toContain(marker);
      expect(res.text).not.toMatch(/Ciphertext|Decryption|at |key_store_entries/);
      const put = await t.http.put(`/v1/key-store/${target}`).set(user.auth).send({ data: { x: 1 } }).expect(500);
      expect(put.body.error.code).toBe(1000);
      const list = await t.http.get('/v1/key-store/').query({ prefix: target }).set(user.auth).expect(500);
      expect(list.text).not.toContain(marker);
      // The source row is untouched and still opens.
      expect((await t.http.get(`/v1/key-store/${source}`).set(user.auth).expect(200)).body.data.data).toEqual({ secret: marker });
    } finally {
      await t.db.query('DELETE FROM key_store_entries WHERE key = $1', [target]);
    }
  });
});

// The key ring is global state: rotating it needs a database of its own.
describe('/v1/key-store entries under key-ring rotation', () => {
  let db: IsolatedDatabase;
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    db = await createIsolatedDatabase();
    t = await startTestApp({ DATABASE_URL: db.url });
    admin = await createUser(t, { isAdmin: true });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is protected by its key-ring entry and moved by rewrap without changing version or updatedAt', async () => {
    const key = uniqueKey('rotate');
    const created = await createEntry(t, admin, key, { rotate: 'me' });
    await t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { again: true } }).expect(200);
    const [before]: { key_ring_entry_id: string; ciphertext: Buffer; version: number; updated_at: Date }[] = await t.db.query(
      'SELECT key_ring_entry_id, ciphertext, version, updated_at FROM key_store_entries WHERE key = $1',
      [key],
    );

    const ring = await t.http.get('/api/adm/KeyStores').set(admin.auth).expect(200);
    const old = ring.body.entries.find((entry: { id: string }) => entry.id === before.key_ring_entry_id);
    expect(old.protectedRecords).toBe(1);
    const generated = await t.http
      .post('/api/adm/KeyStores/generate')
      .set(admin.auth)
      .send({ activationDate: new Date().toISOString(), expirationDate: new Date(Date.now() + 86400_000).toISOString() })
      .expect(200);
    // The old entry still protects the key-store entry, so it cannot be deleted yet.
    const refused = await t.http.delete(`/api/adm/KeyStores/${before.key_ring_entry_id}`).set(admin.auth).expect(400);
    expect(refused.body.errorMessage).toMatch(/still protects 1 stored value/);

    // A restarted instance has no key-ring entry unwrapped yet: rewrap must fetch the old one.
    await t.close();
    t = await startTestApp({ DATABASE_URL: db.url });
    const rewrap = await t.http.post('/api/adm/KeyStores/rewrap').set(admin.auth).expect(200);
    expect(rewrap.body).toMatchObject({ activeEntryId: generated.body.id, rewrapped: 1, remaining: 0 });

    const [after]: typeof before[] = await t.db.query('SELECT key_ring_entry_id, ciphertext, version, updated_at FROM key_store_entries WHERE key = $1', [key]);
    expect(after.key_ring_entry_id).toBe(generated.body.id);
    expect(after.ciphertext.equals(before.ciphertext)).toBe(false);
    expect(after.version).toBe(before.version);
    expect(after.updated_at.getTime()).toBe(before.updated_at.getTime());

    const read = await t.http.get(`/v1/key-store/${key}`).set(admin.auth).expect(200);
    expect(read.body.data).toMatchObject({ data: { rotate: 'me', again: true }, version: 2, createdAt: created.createdAt });
    expect(read.headers.etag).toBe('"2"');
    await t.http.delete(`/api/adm/KeyStores/${before.key_ring_entry_id}`).set(admin.auth).expect(200);
    await t.http.get(`/v1/key-store/${key}`).set(admin.auth).expect(200);
  });

  it.each([128, 192])('encrypts under an active %i-bit entry: writes, reads and rewraps work', async (bits) => {
    const key = uniqueKey(`aes${bits}`);
    await createEntry(t, admin, key, { before: bits });
    const generated = await t.http
      .post('/api/adm/KeyStores/generate')
      .set(admin.auth)
      .send({ bits, activationDate: new Date().toISOString(), expirationDate: new Date(Date.now() + 86400_000).toISOString() })
      .expect(200);
    await t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { after: bits } }).expect(200);
    const rewrap = await t.http.post('/api/adm/KeyStores/rewrap').set(admin.auth).expect(200);
    expect(rewrap.body).toMatchObject({ activeEntryId: generated.body.id, remaining: 0 });
    const [row]: { key_ring_entry_id: string }[] = await t.db.query('SELECT key_ring_entry_id FROM key_store_entries WHERE key = $1', [key]);
    expect(row.key_ring_entry_id).toBe(generated.body.id);
    const read = await t.http.get(`/v1/key-store/${key}`).set(admin.auth).expect(200);
    expect(read.body.data.data).toEqual({ before: bits, after: bits });
  });
});
