import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { b64, createEnvironment, keyBody, rsaPems, secretKey } from './support.js';

// A self-signed EC certificate (public material): createPublicKey accepts it, a PUBLIC_KEY must not.
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUUBhEXWgUiaIMsPwGwsIIoWWXceYwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMa2V5d2FyZC10ZXN0MB4XDTI2MTEyMjIxNTkwMVoXDTM2MTEx
OTIxNTkwMVowFzEVMBMGA1UEAwwMa2V5d2FyZC10ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEInSlPOZPwyzkae+yQF1TnWgfZcjVcLoGRvCjYWnvkg0tS0CT
/zo0NZQTxzQZHTP9Dk69XK3XQxIyhgairv0bAKNTMFEwHQYDVR0OBBYEFJbC/Sxe
S7ggW7lCrhlUpv1UXqtRMB8GA1UdIwQYMBaAFJbC/SxeS7ggW7lCrhlUpv1UXqtR
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAN9rS1x45ph/i93y
VxY6Kztw21acjgzqxAhkOeZjKTNQAiAYPAnfe56T8p8cW0CtlNhnUFuVZQkLwY7L
ThSgYx1Fdw==
-----END CERTIFICATE-----
`;

// A DSA key in the traditional form (`openssl pkey -traditional`), which Node cannot write.
const DSA_TRADITIONAL = `-----BEGIN DSA PRIVATE KEY-----
MIIBygIBAAKBgQCTIxQOzymQJ4GEkRFX1KxyVxu6n/sQTdpoh2LT4JTObPtuD9MI
Vl9Kk4zmWpk2qUKY/5mGvPXxQJE4XR0FSu9lmJ41n3wbrN+3uF2UoPeXZuxltLYr
t0OMllS8V6+s9wtgEC1oAqAa1fKIpDgJgy7GYnGyrPECCy+JYEJkpcnNgwIdAJAN
r/sts4UrSnpTGtYGhrWaSZa8HBvT6OYn+2kCgYA2nBea80fGMAqXm3Syd9tTd8S5
78MYInuPp0zNVVDQTli5v7po6m0k8do/KFElbNRG4QgaTompAmQanW0cpMKRzOjN
ShyfPLlpSMy5aHVFXqfN9T4TCgk/wrwwoM8TeaziDP54NOjxRhjEI4WF29A+9ReX
ioReXNsxHbs6dYxLbAKBgAF3/d0zCdLW5qMWXNyUxGptmD9YBTtXUuhijWOCUIt1
BFHVoXDzBeinl2x8Zx2WoLj2vaYAiugkhCXlYd2GyP6+p9ulUr2fEDtoxupHsElH
/8nPPknOqQ5duFfKGJ+OXB3MBqAwc+QMPRXLNvCSOnptZAYoMtpdk9oxF+knauzu
AhwvE9oysTYwIQnApNtkCcMdfEJQ1sdKDRMHxkdv
-----END DSA PRIVATE KEY-----
`;
// The block `openssl ecparam -name prime256v1 -genkey` writes before the key: the curve's OID.
const P256_PARAMETERS = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';

const rsa = rsaPems();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const ed = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const rsaPkcs1 = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
const encryptedPrivate = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'not-given' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
/** `base64` wraps its output at 76 characters. */
const wrapped = (text: string) => b64(text).replace(/(.{76})/g, '$1\n');

const SECRET_PROBLEM = 'content of a SECRET_KEY must be strict base64 of an 8 (DES), 16, 24 (AES, DESede) or 32 (AES) byte key';
const PRIVATE_PROBLEM = 'content of a PRIVATE_KEY must be base64 of one unencrypted PEM private key (PKCS#8, PKCS#1, SEC1 or traditional DSA) and nothing else';
const PUBLIC_PROBLEM = 'content of a PUBLIC_KEY must be base64 of one PEM public key (SPKI or PKCS#1) and nothing else';
const HOLDS_PRIVATE = 'content holds a private key: a PUBLIC_KEY must hold only the public key';
// The shape of `ssh-keygen -t ed25519` output: Node cannot parse it, but it is a private key all the same.
const OPENSSH_PRIVATE = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';

describe('key content validation by type', () => {
  let t: TestApp;
  let admin: TestUser;
  let project: string;
  let environment: string;
  const create = (keyType: string, content: string) =>
    t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(uniqueName('typed'), keyType, [{ environmentName: environment, content }]));

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
    project = await createProject(t, admin);
    environment = (await createEnvironment(t, admin, project)).name;
  });
  afterAll(() => t.close());

  it.each([
    ['SECRET_KEY', 'DES (8 bytes)', secretKey(8)],
    ['SECRET_KEY', 'AES-128 (16 bytes)', secretKey(16)],
    ['SECRET_KEY', 'AES-192 / DESede (24 bytes)', secretKey(24)],
    ['SECRET_KEY', 'AES-256 (32 bytes)', secretKey(32)],
    ['PRIVATE_KEY', 'RSA PKCS#8', b64(rsa.privatePem)],
    ['PRIVATE_KEY', 'RSA PKCS#1', b64(rsaPkcs1.privateKey)],
    ['PRIVATE_KEY', 'EC SEC1', b64(ec.privateKey)],
    ['PRIVATE_KEY', 'Ed25519, base64 wrapped at 76 columns', wrapped(ed.privateKey)],
    ['PRIVATE_KEY', 'RSA PKCS#8 with CRLF line ends and blank lines around', b64(`\r\n${rsa.privatePem.replace(/\n/g, '\r\n')}\r\n\r\n`)],
    ['PRIVATE_KEY', 'EC SEC1 after its curve\'s parameters, as openssl ecparam -genkey writes it', b64(P256_PARAMETERS + ec.privateKey)],
    ['PRIVATE_KEY', 'DSA, traditional form', b64(DSA_TRADITIONAL)],
    ['PUBLIC_KEY', 'RSA SPKI', b64(rsa.publicPem)],
    ['PUBLIC_KEY', 'RSA PKCS#1', b64(rsaPkcs1.publicKey)],
    ['PUBLIC_KEY', 'EC SPKI, wrapped', wrapped(ec.publicKey)],
  ])('accepts a %s: %s', async (keyType, _what, content) => {
    const res = await create(keyType, content).expect(200);
    expect(res.body.deploymentResult.success).toBe(true);
  });

  it.each([
    ['SECRET_KEY', '12 bytes', secretKey(12), SECRET_PROBLEM],
    ['SECRET_KEY', '64 bytes', secretKey(64), SECRET_PROBLEM],
    ['SECRET_KEY', 'not base64', 'this is not base64!', SECRET_PROBLEM],
    ['SECRET_KEY', 'unpadded base64', secretKey(16).replace(/=+$/, ''), SECRET_PROBLEM],
    ['SECRET_KEY', 'non-canonical trailing bits', 'AAAAAAAAAAAAAAAAAAAAAB==', SECRET_PROBLEM],
    ['SECRET_KEY', 'base64 with a line break', `${secretKey(32).slice(0, 20)}\n${secretKey(32).slice(20)}`, SECRET_PROBLEM],
    ['SECRET_KEY', 'a PEM', b64(rsa.privatePem), SECRET_PROBLEM],
    ['PRIVATE_KEY', 'a public key', b64(rsa.publicPem), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'an encrypted private key (no passphrase to open it)', b64(encryptedPrivate), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'PEM text not base64-encoded', rsa.privatePem, PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'base64 of DER, not PEM', b64(Buffer.from(rsa.privatePem.split('\n').slice(1, -2).join(''), 'base64')), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'a truncated PEM', b64(rsa.privatePem.slice(0, 400) + '\n-----END PRIVATE KEY-----\n'), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'a secret key', secretKey(32), PRIVATE_PROBLEM],
    // Deployed as sent, while the fingerprint covers the key only: nothing may ride along.
    ['PRIVATE_KEY', 'a private key with text after it', b64(`${rsa.privatePem}garbage here\n`), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'a private key with text before it', b64(`password: hunter2\n${rsa.privatePem}`), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'a public key followed by a private key', b64(rsa.publicPem + rsa.privatePem), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'a private key followed by a certificate', b64(ec.privateKey + CERTIFICATE), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'two private keys', b64(rsaPkcs1.privateKey + ec.privateKey), PRIVATE_PROBLEM],
    ['PRIVATE_KEY', 'EC parameters before an RSA key', b64(P256_PARAMETERS + rsaPkcs1.privateKey), PRIVATE_PROBLEM],
    ['PUBLIC_KEY', 'a private key', b64(rsa.privatePem), HOLDS_PRIVATE],
    ['PUBLIC_KEY', 'a PKCS#1 private key', b64(rsaPkcs1.privateKey), HOLDS_PRIVATE],
    // The content is deployed as sent: nothing may ride along behind the public key.
    ['PUBLIC_KEY', 'a public key followed by an OpenSSH private key', b64(rsa.publicPem + OPENSSH_PRIVATE), HOLDS_PRIVATE],
    ['PUBLIC_KEY', 'a public key followed by an encrypted private key', b64(rsa.publicPem + encryptedPrivate), HOLDS_PRIVATE],
    ['PUBLIC_KEY', 'two public keys', b64(rsa.publicPem + ec.publicKey), PUBLIC_PROBLEM],
    ['PUBLIC_KEY', 'a public key with text after it', b64(`${rsa.publicPem}password: hunter2\n`), PUBLIC_PROBLEM],
    ['PUBLIC_KEY', 'a certificate', b64(CERTIFICATE), 'content is a certificate: a PUBLIC_KEY holds the public key itself (openssl x509 -pubkey -noout)'],
    ['PUBLIC_KEY', 'garbage PEM', b64('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), PUBLIC_PROBLEM],
    ['PUBLIC_KEY', 'a secret key', secretKey(16), PUBLIC_PROBLEM],
  ])('refuses as %s %s, without echoing the content', async (keyType, _what, content, problem) => {
    const res = await create(keyType, content).expect(400);
    expect(res.body).toEqual({
      error: 'validation_failed',
      error_description: 'Request validation failed',
      validation_errors: [{ field: 'cryptoKeyInfoEnvironmentList.0.content', message: problem }],
    });
    expect(JSON.stringify(res.body)).not.toContain(content.slice(0, 16));
  });

  it('names each invalid entry and stores nothing', async () => {
    const name = uniqueName('mixed');
    const other = (await createEnvironment(t, admin, project)).name;
    const res = await t.http
      .post(`/apiops/projects/${project}/keys/`)
      .set(admin.auth)
      .send(keyBody(name, 'SECRET_KEY', [{ environmentName: environment, content: secretKey(16) }, { environmentName: other, content: secretKey(5) }]))
      .expect(400);
    expect(res.body.validation_errors).toEqual([{ field: 'cryptoKeyInfoEnvironmentList.1.content', message: SECRET_PROBLEM }]);
    await t.http.get(`/apiops/projects/${project}/keys/${name}/`).set(admin.auth).expect(404);
  });

  it('fingerprints the key, not its encoding: the same key wrapped or not has one fingerprint', async () => {
    const name = uniqueName('fp');
    const other = (await createEnvironment(t, admin, project)).name;
    const third = (await createEnvironment(t, admin, project)).name;
    await t.http
      .post(`/apiops/projects/${project}/keys/`)
      .set(admin.auth)
      .send(
        keyBody(name, 'PUBLIC_KEY', [
          { environmentName: environment, content: b64(rsa.publicPem) },
          { environmentName: other, content: wrapped(rsa.publicPem) },
          { environmentName: third, content: b64(rsaPkcs1.publicKey) },
        ]),
      )
      .expect(200);
    const key = (await t.http.get(`/apiops/projects/${project}/keys/${name}/`).set(admin.auth).expect(200)).body.key;
    const fingerprint = Object.fromEntries(key.cryptoKeyInfoEnvironmentList.map((e: { environmentName: string; fingerprint: string }) => [e.environmentName, e.fingerprint]));
    expect(fingerprint[environment]).toBe(fingerprint[other]);
    expect(fingerprint[third]).not.toBe(fingerprint[environment]);
    // Keyed: not a plain hash anyone holding the key could compute.
    expect(fingerprint[environment]).not.toBe(createHash('sha256').update(Buffer.from(rsa.publicPem)).digest('hex'));
    // The content comes back as sent, wrapping included.
    const deployed = (await t.http.get(`/apiops/projects/${project}/environments/${other}/deployed-keys/`).set(admin.auth).expect(200)).body;
    expect(deployed.resultList).toContainEqual(expect.objectContaining({ name, content: wrapped(rsa.publicPem) }));
  });
});
