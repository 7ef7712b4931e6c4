import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('personal access tokens', () => {
  let t: TestApp;
  let owner: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await createUser(t);
  });
  afterAll(() => t.close());

  it('creates a token shown once, usable as a bearer token, stored only as a hash', async () => {
    const created = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'ci deploy' }).expect(200);
    expect(created.body).toEqual({
      status: true,
      data: { id: expect.any(String), name: 'ci deploy', hint: created.body.data.token.slice(0, 10), token: expect.stringMatching(/^kwp_[A-Za-z0-9_-]{43}$/), createdAt: expect.any(String), expiresAt: null, revokedAt: null },
    });
    const token = created.body.data.token as string;

    const listed = await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`).expect(200);
    expect(listed.body.data.map((x: { id: string }) => x.id)).toContain(created.body.data.id);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const rows = await t.db.query('SELECT * FROM personal_access_tokens WHERE id = $1', [created.body.data.id]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0], (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(12));
  });

  it('refuses a revoked token on the next request', async () => {
    const { body } = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'short-lived' }).expect(200);
    const bearer = { Authorization: `Bearer ${body.data.token}` };
    await t.http.get('/v1/personal-access-tokens').set(bearer).expect(200);
    const revoked = await t.http.delete(`/v1/personal-access-tokens/${body.data.id}`).set(owner.auth).expect(200);
    expect(revoked.body.data.revokedAt).toEqual(expect.any(String));
    const refused = await t.http.get('/v1/personal-access-tokens').set(bearer).expect(401);
    expect(refused.body).toEqual({ status: false, error: { code: 4004, message: 'Invalid Token' } });
  });

  it('answers an expired token with Token Expired', async () => {
    const { body } = await t.http
      .post('/v1/personal-access-tokens')
      .set(owner.auth)
      .send({ name: 'expiring', expiresAt: new Date(Date.now() + 60_000).toISOString() })
      .expect(200);
    await t.db.query("UPDATE personal_access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [body.data.id]);
    const res = await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${body.data.token}`).expect(401);
    expect(res.body.error.code).toBe(4005);
  });

  it('validates the request', async () => {
    const past = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }).expect(400);
    expect(past.body).toEqual({ status: false, error: { code: 3000, message: 'Validation Error', data: [{ field: 'expiresAt', message: 'must be in the future' }] } });
    const noName = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ expiresAt: 'tomorrow' }).expect(400);
    expect(noName.body.error.data.map((e: { field: string }) => e.field).sort()).toEqual(['expiresAt', 'name', 'name', 'name']);
  });

  it.each([
    ['a day that does not exist', '2030-02-30T00:00:00Z'],
    ['a date in Date\'s own format', 'Tue Jan 01 2030'],
    ['a number of milliseconds', 4102444800000],
    ['a week date', '2030-W01-1'],
  ])('refuses an expiresAt that is %s with 400', async (_name, expiresAt) => {
    const res = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'x', expiresAt }).expect(400);
    expect(res.body).toEqual({
      status: false,
      error: {
        code: 3000,
        message: 'Validation Error',
        data: [{ field: 'expiresAt', message: 'expiresAt must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z (UTC when it has no offset, to the millisecond) or a date' }],
      },
    });
  });

  it('reads an expiresAt without an offset as UTC, whatever the time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const res = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'utc', expiresAt: '2030-01-01T00:00:00' }).expect(200);
      expect(res.body.data.expiresAt).toBe('2030-01-01T00:00:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('does not let one user revoke or see another user\'s token', async () => {
    const other = await createUser(t);
    const { body } = await t.http.post('/v1/personal-access-tokens').set(owner.auth).send({ name: 'mine' }).expect(200);
    const res = await t.http.delete(`/v1/personal-access-tokens/${body.data.id}`).set(other.auth).expect(404);
    expect(res.body.error.code).toBe(3001);
    const list = await t.http.get('/v1/personal-access-tokens').set(other.auth).expect(200);
    expect(list.body.data).toEqual([]);
    await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${body.data.token}`).expect(200);
  });
});
