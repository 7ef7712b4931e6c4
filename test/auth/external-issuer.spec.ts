import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'keyward-api';

describe('external OAuth 2.0 issuer (JWKS)', () => {
  let jwksServer: Server;
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let ec: { publicKey: CryptoKey; privateKey: CryptoKey };
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwksServer = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const port = (jwksServer.address() as AddressInfo).port;
    t = await startTestApp({ KEYWARD_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, KEYWARD_JWT_ISSUER: ISSUER, KEYWARD_JWT_AUDIENCE: AUDIENCE });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const external = (claims: { sub?: string; iss?: string; aud?: string }, key = rsa.privateKey, alg = 'RS256', kid = 'rsa-1') =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid })
      .setSubject(claims.sub ?? user.id)
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  const call = (token: string) => t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`);

  it('accepts RS256 and ES256 tokens from the issuer for a known user', async () => {
    await call(await external({})).expect(200);
    await call(await external({}, ec.privateKey, 'ES256', 'ec-1')).expect(200);
  });

  it('pins issuer and audience exactly and requires a known user', async () => {
    for (const claims of [{ iss: 'https://evil.test/' }, { aud: 'another-api' }, { sub: 'abcabcabcabcabcabcabcabc' }]) {
      expect((await call(await external(claims)).expect(401)).body.error.code).toBe(4004);
    }
  });

  it('refuses key confusion: an HS256 token keyed with the issuer public key', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    expect((await call(confused).expect(401)).body.error.code).toBe(4004);
  });

  it('still accepts Keyward\'s own tokens', async () => {
    await call(user.token).expect(200);
  });
});
