import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createUser, login, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const jwtKey = () => new Uint8Array(Buffer.from(inject('masterKey'), 'base64'));

function sign(claims: Record<string, unknown>, key = jwtKey(), expiresIn: string | number = '1h') {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('keyward').setAudience('keyward').setIssuedAt().setJti('test-jti').setExpirationTime(expiresIn).sign(key);
}

describe('access tokens', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  const whoAmI = (token?: string) => {
    const req = t.http.get('/v1/personal-access-tokens');
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };

  it('issues a signed JWT for client_credentials, form-encoded, JSON or HTTP Basic, at both endpoints', async () => {
    const form = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: user.secret }).expect(200);
    expect(form.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(form.headers['cache-control']).toBe('no-store');
    expect(decodeProtectedHeader(form.body.access_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(form.body.access_token);
    expect(claims).toMatchObject({ sub: user.id, iss: 'keyward', aud: 'keyward' });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    const json = await t.http.post('/apiops/auth/token').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: user.secret }).expect(200);
    const basic = await t.http
      .post('/oauth/token')
      .set('Authorization', `Basic ${Buffer.from(`${user.username}:${user.secret}`).toString('base64')}`)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    for (const token of [form.body.access_token, json.body.access_token, basic.body.access_token]) {
      await whoAmI(token).expect(200);
    }
  });

  it('answers bad credentials with unauthorized_client, the same for unknown users', async () => {
    const wrong = await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: 'wrong-secret-123' }).expect(401);
    expect(wrong.body).toEqual({ error: 'unauthorized_client', error_description: 'Bad credentials' });
    const unknown = await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: 'nobody-here', client_secret: 'whatever-123' }).expect(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('rejects other grants and incomplete requests', async () => {
    const password = await t.http.post('/oauth/token').send({ grant_type: 'password', client_id: user.username, client_secret: user.secret }).expect(400);
    expect(password.body.error).toBe('unsupported_grant_type');
    const missing = await t.http.post('/oauth/token').send({ client_id: user.username }).expect(400);
    expect(missing.body.error).toBe('invalid_request');
    const wrongType = await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: 42, client_secret: user.secret }).expect(400);
    expect(wrongType.body.error).toBe('invalid_request');
  });

  it('tells a missing, an invalid and an expired token apart, in each API\'s envelope', async () => {
    const expired = await sign({ sub: user.id }, jwtKey(), Math.floor(Date.now() / 1000) - 120);
    expect((await whoAmI().expect(401)).body).toEqual({ status: false, error: { code: 4002, message: 'No auth token' } });
    // The scheme without a token carries no token either.
    for (const header of ['Bearer', 'Bearer ', 'bearer \t ']) {
      const res = await t.http.get('/v1/personal-access-tokens').set('Authorization', header).expect(401);
      expect(res.body).toEqual({ status: false, error: { code: 4002, message: 'No auth token' } });
    }
    expect((await t.http.get('/v1/personal-access-tokens').set('Authorization', 'Basic dXNlcjpwdw==').expect(401)).body.error.code).toBe(4004);
    expect((await whoAmI('garbage').expect(401)).body).toEqual({ status: false, error: { code: 4004, message: 'Invalid Token' } });
    expect((await whoAmI(expired).expect(401)).body).toEqual({ status: false, error: { code: 4005, message: 'Token Expired' } });

    const apiops = await t.http.get('/apiops/projects/').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(apiops.body).toEqual({ error: 'token_expired', error_description: 'Token Expired' });
    const apiopsMissing = await t.http.get('/apiops/projects/').expect(401);
    expect(apiopsMissing.body).toEqual({ error: 'invalid_token', error_description: 'No auth token' });
    const adm = await t.http.get('/api/adm/users').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(adm.body).toEqual({ success: false, code: 401, errorMessage: 'Token Expired' });
  });

  it('refuses tokens signed with another secret, alg none and tampered payloads', async () => {
    const otherKey = await sign({ sub: user.id }, new Uint8Array(32).fill(9));
    const none = new UnsecuredJWT({ sub: user.id }).setIssuer('keyward').setAudience('keyward').setIssuedAt().setExpirationTime('1h').encode();
    const [header, , signature] = user.token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(user.token), sub: 'ffffffffffffffffffffffff' })).toString('base64url')}.${signature}`;
    const noneWithSignature = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${user.token.split('.')[1]}.${signature}`;
    for (const token of [otherKey, none, tampered, noneWithSignature]) {
      expect((await whoAmI(token).expect(401)).body.error.code).toBe(4004);
    }
  });

  it('refuses a well-signed token for an unknown user', async () => {
    expect((await whoAmI(await sign({ sub: 'abcdefabcdefabcdefabcdef' })).expect(401)).body.error.code).toBe(4004);
  });

  it('refuses a well-signed token that does not name the secret version it was issued under', async () => {
    expect((await whoAmI(await sign({ sub: user.id })).expect(401)).body.error.code).toBe(4004);
  });

  it('refuses a disabled user at once, and accepts again once enabled', async () => {
    const admin = await createUser(t, { isAdmin: true });
    const victim = await createUser(t);
    await whoAmI(victim.token).expect(200);
    await t.http.patch(`/api/adm/users/${victim.id}`).set(admin.auth).send({ disabled: true }).expect(200);
    expect((await whoAmI(victim.token).expect(401)).body.error.code).toBe(4004);
    await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: victim.username, client_secret: victim.secret }).expect(401);
    await t.http.patch(`/api/adm/users/${victim.id}`).set(admin.auth).send({ disabled: false }).expect(200);
    await whoAmI(victim.token).expect(200);
  });

  it('revokes access tokens issued before a rotation, even in the same second, and not those issued after it', async () => {
    const admin = await createUser(t, { isAdmin: true });
    const rotated = await createUser(t);
    // iat has one-second resolution: start at a second's beginning, so all three steps share it.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const before = await login(t, rotated.username, rotated.secret);
    const res = await t.http.post(`/api/adm/users/${rotated.id}/secret`).set(admin.auth).send({}).expect(200);
    expect(res.body.secret).toMatch(/^kws_/);
    const after = await login(t, rotated.username, res.body.secret);
    expect(decodeJwt(after).iat).toBe(decodeJwt(before).iat);

    expect((await whoAmI(before).expect(401)).body.error.code).toBe(4004);
    await whoAmI(after).expect(200);
    await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: rotated.username, client_secret: rotated.secret }).expect(401);
  });

  it('revokes access tokens when the secret changes by any writer, as a rotation by the previous release does', async () => {
    const rotated = await createUser(t);
    await whoAmI(rotated.token).expect(200);
    // The previous release's rotation: a new hash and time, no secret version (it had none).
    await t.db.query("UPDATE users SET secret_hash = 'scrypt$15$8$1$c2FsdA==$a2V5', secret_rotated_at = now() WHERE id = $1", [rotated.id]);
    expect((await whoAmI(rotated.token).expect(401)).body.error.code).toBe(4004);
  });
});
