import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('/api/adm/users', () => {
  let t: TestApp;
  let admin: TestUser;
  let plain: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
    plain = await createUser(t);
  });
  afterAll(() => t.close());

  it('refuses non-admins with 403 and anonymous callers with 401, in the Chargeworx envelope', async () => {
    const forbidden = await t.http.get('/api/adm/users').set(plain.auth).expect(403);
    expect(forbidden.body).toEqual({ success: false, code: 401, errorMessage: 'Forbidden - administrator rights are required' });
    const anonymous = await t.http.post('/api/admin/users').send({ username: 'x1' }).expect(401);
    expect(anonymous.body).toEqual({ success: false, code: 401, errorMessage: 'No auth token' });
  });

  it('creates a user with a generated secret shown once and stored only as a salted hash', async () => {
    const username = uniqueName('svc');
    const res = await t.http.post('/api/adm/users').set(admin.auth).send({ username }).expect(200);
    expect(res.body).toEqual({
      success: true,
      code: 200,
      errorMessage: null,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      user: { id: res.body.id, username, isAdmin: false, disabled: false, createdAt: expect.any(String), updatedAt: expect.any(String) },
      secret: expect.stringMatching(/^kws_/),
    });
    const [row] = await t.db.query('SELECT * FROM users WHERE id = $1', [res.body.id]);
    // 256 random bits: a salted SHA-256 suffices (a slow hash protects guessable secrets only).
    expect(row.secret_hash).toMatch(/^sha256\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(JSON.stringify(row)).not.toContain(res.body.secret);
    await login(t, username, res.body.secret);

    const listed = await t.http.get('/api/admin/users').set(admin.auth).expect(200);
    expect(listed.body.users.find((u: { id: string }) => u.id === res.body.id)).toMatchObject({ username });
    expect(JSON.stringify(listed.body)).not.toMatch(/secret|kws_/);
  });

  it('does not return a secret the admin chose', async () => {
    const res = await t.http.post('/api/adm/users').set(admin.auth).send({ username: uniqueName('chosen'), secret: 'a-chosen-secret-1', isAdmin: true }).expect(200);
    expect(res.body.secret).toBeUndefined();
    // A person chose it, so it may be guessable: every guess must cost a scrypt.
    const [row] = await t.db.query('SELECT secret_hash FROM users WHERE id = $1', [res.body.id]);
    expect(row.secret_hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(row.secret_hash).not.toContain('a-chosen-secret-1');
    expect(res.body.user.isAdmin).toBe(true);
  });

  it('refuses control characters in a secret, when it is chosen and at login', async () => {
    const username = uniqueName('chosen');
    const { body } = await t.http.post('/api/adm/users').set(admin.auth).send({ username, secret: 'alice-secret-123' }).expect(200);
    // scrypt keys HMAC with the secret, and HMAC pads a short key with zero bytes.
    for (const client_secret of ['alice-secret-123\u0000', 'alice-secret-123\u0000\u0000']) {
      const res = await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: username, client_secret }).expect(401);
      expect(res.body).toEqual({ error: 'unauthorized_client', error_description: 'Bad credentials' });
    }
    await login(t, username, 'alice-secret-123');

    for (const secret of ['alice-secret-123\u0000', 'alice\tsecret-123', 'alice-secret-123\n', 'alice-secret-123\u007f']) {
      const refusal = {
        success: false,
        code: 400,
        errorMessage: 'Validation failed: secret: secret must not contain control characters',
        validationErrors: [{ field: 'secret', message: 'secret must not contain control characters' }],
      };
      expect((await t.http.post('/api/adm/users').set(admin.auth).send({ username: uniqueName('chosen'), secret }).expect(400)).body).toEqual(refusal);
      expect((await t.http.post(`/api/adm/users/${body.id}/secret`).set(admin.auth).send({ secret }).expect(400)).body).toEqual(refusal);
    }
  });

  it('validates input and refuses duplicates case-insensitively', async () => {
    const bad = await t.http.post('/api/adm/users').set(admin.auth).send({ username: '-bad name', secret: 'short' }).expect(400);
    expect(bad.body.success).toBe(false);
    expect(bad.body.code).toBe(400);
    expect(bad.body.errorMessage).toMatch(/username/);
    expect(bad.body.errorMessage).toMatch(/secret/);
    const dup = await t.http.post('/api/adm/users').set(admin.auth).send({ username: plain.username.toUpperCase() }).expect(409);
    expect(dup.body).toEqual({ success: false, code: 400, errorMessage: `User (username: ${plain.username.toUpperCase()}) already exists` });
    await t.http.patch('/api/adm/users/not-an-id').set(admin.auth).send({ disabled: true }).expect(400);
    const missing = await t.http.patch('/api/adm/users/ffffffffffffffffffffffff').set(admin.auth).send({ disabled: true }).expect(404);
    expect(missing.body.code).toBe(404);
  });

  it('promotes and demotes, but never leaves no enabled administrator', async () => {
    const promoted = await t.http.patch(`/api/adm/users/${plain.id}`).set(admin.auth).send({ isAdmin: true }).expect(200);
    expect(promoted.body.user.isAdmin).toBe(true);
    await t.http.get('/api/adm/users').set(plain.auth).expect(200);
    await t.http.patch(`/api/adm/users/${plain.id}`).set(admin.auth).send({ isAdmin: false }).expect(200);
    await t.http.get('/api/adm/users').set(plain.auth).expect(403);

    // Disable every other enabled admin in this run's database, then the last one must stay.
    const admins: { id: string }[] = await t.db.query('SELECT id FROM users WHERE is_admin AND NOT disabled AND id <> $1', [admin.id]);
    await t.db.query('UPDATE users SET disabled = true WHERE id = ANY($1)', [admins.map((a) => a.id)]);
    try {
      const res = await t.http.patch(`/api/adm/users/${admin.id}`).set(admin.auth).send({ disabled: true }).expect(400);
      expect(res.body.errorMessage).toBe('The last enabled administrator cannot be disabled or demoted');
    } finally {
      await t.db.query('UPDATE users SET disabled = false WHERE id = ANY($1)', [admins.map((a) => a.id)]);
    }
  });
});
