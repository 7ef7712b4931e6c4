import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, grant, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createEnvironment, keyBody, secretKey } from '../project-keys/support.js';
import { operations } from './hostile.js';

/**
 * Access-control sweeps driven from openapi.json (alg none, wrong algorithm and key confusion
 * are in test/auth/tokens.spec.ts and external-issuer.spec.ts; login throttling in
 * login-throttle.spec.ts).
 */
let requests = 0;

describe('security sweeps', () => {
  let t: TestApp;
  let admin: TestUser;
  let member: TestUser;
  let projectA: string;
  let projectB: string;
  let envB: string;
  const keyB = 'b-key';
  let contentB: string;
  const ops = operations();

  beforeAll(async () => {
    t = await startTestApp({ KEYWARD_CORS_ORIGINS: 'https://app.example.com' });
    admin = await createUser(t, { isAdmin: true });
    member = await createUser(t);
    projectA = await createProject(t, admin);
    projectB = await createProject(t, admin);
    await grant(t, admin, projectA, member, ['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY']);
    envB = (await createEnvironment(t, admin, projectB)).name;
    contentB = secretKey();
    await t.http.post(`/apiops/projects/${projectB}/keys/`).set(admin.auth).send(keyBody(keyB, 'SECRET_KEY', [{ environmentName: envB, content: contentB }])).expect(200);
  });
  afterAll(async () => {
    console.log(`[figures] security: ${requests} requests`);
    await t?.close();
  });

  const snapshotB = async () => ({
    keys: (await t.http.get(`/apiops/projects/${projectB}/keys/`).set(admin.auth).expect(200)).body,
    environments: (await t.http.get(`/apiops/projects/${projectB}/environments/`).set(admin.auth).expect(200)).body,
    deployed: (await t.http.get(`/apiops/projects/${projectB}/environments/${envB}/deployed-keys/`).set(admin.auth).expect(200)).body,
    members: await t.db.query('SELECT user_id, permissions FROM project_members m JOIN projects p ON p.id = m.project_id WHERE p.name = $1 ORDER BY user_id', [projectB]),
  });

  it('a member with every permission in project A gets 404 on every /apiops/projects/{B}/... route, and B is unchanged', async () => {
    const before = await snapshotB();
    const projectOps = ops.filter((op) => op.path.startsWith('/apiops/projects/{projectName}'));
    expect(projectOps.length).toBeGreaterThanOrEqual(11);
    const bodies: Record<string, unknown> = {
      setProjectMember: { permissions: ['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY'] },
      createEnvironment: { name: uniqueName('env'), type: 'TEST' },
      createProjectKey: keyBody(uniqueName('intruder'), 'SECRET_KEY', [{ environmentName: envB, content: secretKey() }]),
      updateProjectKey: { description: 'changed', cryptoKeyInfoEnvironmentList: [{ environmentName: envB, content: secretKey() }] },
    };
    for (const op of projectOps) {
      for (const trailing of ['', '/']) {
        const path =
          op.path
            .replace('{projectName}', projectB)
            .replace('{keyName}', keyB)
            .replace('{environmentName}', envB)
            .replace('{userId}', member.id) + trailing;
        requests++;
        let req = (t.http as any)[op.method.toLowerCase()](path).set(member.auth);
        if (op.hasBody) req = req.send(bodies[op.operationId] ?? {});
        const res = await req;
        expect(res.text).not.toContain(contentB);
        if (op.path.includes('/members/')) {
          // Member management is for administrators only: refused before any project is looked
          // up, so the answer is the same for a project that does not exist — nothing learnt.
          requests++;
          let ghost = (t.http as any)[op.method.toLowerCase()](path.replace(projectB, uniqueName('NoSuchProject'))).set(member.auth);
          if (op.hasBody) ghost = ghost.send(bodies[op.operationId] ?? {});
          const other = await ghost;
          expect({ status: res.status, body: res.body }).toEqual({ status: other.status, body: other.body });
          expect(res.status).toBe(403);
          continue;
        }
        expect(res.status, `${op.method} ${path} → ${res.text}`).toBe(404);
        expect(res.body.error).toBe('not_found');
      }
    }
    expect(await snapshotB()).toEqual(before);
    // The same member does reach project A.
    await t.http.get(`/apiops/projects/${projectA}/keys/`).set(member.auth).expect(200);
  });

  it('a non-admin reaches no /api/adm or /api/admin route: 403 (401 without a token), in the Chargeworx envelope', async () => {
    // The document lists /api/adm only; /api/admin serves the same routes.
    const canonical = ops.filter((op) => op.path.startsWith('/api/adm/'));
    const adminOps = [...canonical, ...canonical.map((op) => ({ ...op, path: op.path.replace('/api/adm/', '/api/admin/') }))];
    expect(adminOps.length).toBeGreaterThanOrEqual(20);
    const usersBefore = await t.db.query('SELECT id, is_admin, disabled, secret_hash FROM users ORDER BY id');
    const ringBefore = await t.db.query('SELECT id, description, expiration_date, deleted_at FROM key_ring_entries ORDER BY id');
    for (const op of adminOps) {
      const path = op.path.replace('{id}', op.path.includes('KeyStores') ? ringBefore[0].id : admin.id);
      const body = op.hasBody ? { username: uniqueName('evil'), isAdmin: true, disabled: true, description: 'x', key: secretKey(), activationDate: new Date().toISOString(), expirationDate: new Date(Date.now() + 9e9).toISOString() } : undefined;
      for (const who of [member.auth, {}]) {
        requests++;
        let req = (t.http as any)[op.method.toLowerCase()](path).set(who);
        if (body) req = req.send(body);
        const res = await req;
        expect(res.status, `${op.method} ${path}`).toBe('Authorization' in who ? 403 : 401);
        expect(res.body).toMatchObject({ success: false, code: 401 });
      }
    }
    expect(await t.db.query('SELECT id, is_admin, disabled, secret_hash FROM users ORDER BY id')).toEqual(usersBefore);
    expect(await t.db.query('SELECT id, description, expiration_date, deleted_at FROM key_ring_entries ORDER BY id')).toEqual(ringBefore);
  });

  it('CORS on a real API route: the listed origin gets headers, an unlisted one none', async () => {
    for (const path of ['/v1/key-store/', '/apiops/projects/', '/api/adm/KeyStores']) {
      requests += 4;
      const allowed = await t.http.options(path).set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'Authorization');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.io', 'null', 'http://app.example.com']) {
        const refused = await t.http.options(path).set('Origin', origin).set('Access-Control-Request-Method', 'GET');
        expect(refused.headers['access-control-allow-origin'], origin).toBeUndefined();
      }
      const simple = await t.http.get(path).set('Origin', 'https://evil.example.com').set(admin.auth).expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('a revoked PAT replayed is refused on every API, also after the revocation is old news', async () => {
    const user = await createUser(t);
    const created = await t.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: 'replayed' }).expect(200);
    const pat = { Authorization: `Bearer ${created.body.data.token}` };
    await t.http.get('/v1/key-store/').set(pat).expect(200);
    await t.http.delete(`/v1/personal-access-tokens/${created.body.data.id}`).set(user.auth).expect(200);
    for (let replay = 0; replay < 3; replay++) {
      requests += 4;
      expect((await t.http.get('/v1/key-store/').set(pat).expect(401)).body.error.code).toBe(4004);
      expect((await t.http.get('/apiops/projects/').set(pat).expect(401)).body.error).toBe('invalid_token');
      await t.http.get('/api/adm/users').set(pat).expect(401);
      // Revoking it again does not bring it back.
      await t.http.delete(`/v1/personal-access-tokens/${created.body.data.id}`).set(user.auth);
    }
  });

  it('wrong secrets of equal and of different length are refused identically (same status, body and headers)', async () => {
    const user = await createUser(t);
    const attempts = [
      user.secret.slice(0, -1) + (user.secret.endsWith('a') ? 'b' : 'a'), // same length, last character off
      'x'.repeat(user.secret.length), // same length
      'short',
      user.secret + 'x', // longer
      'y'.repeat(512), // the longest the endpoint takes
    ];
    const answers = [];
    for (const secret of attempts) {
      requests++;
      const res = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: secret });
      answers.push({ status: res.status, body: res.body, type: res.headers['content-type'] });
    }
    for (const answer of answers) expect(answer).toEqual({ status: 401, body: { error: 'unauthorized_client', error_description: 'Bad credentials' }, type: answers[0].type });
    // And an unknown client id answers the same.
    const unknown = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: uniqueName('nobody'), client_secret: 'x'.repeat(30) });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: 401, body: answers[0].body });
    // Over the length limit: a 400 before any lookup, the same for a known and an unknown client.
    const tooLong = { grant_type: 'client_credentials', client_secret: 'y'.repeat(513) };
    const [known, stranger] = await Promise.all([
      t.http.post('/oauth/token').type('form').send({ ...tooLong, client_id: user.username }),
      t.http.post('/oauth/token').type('form').send({ ...tooLong, client_id: uniqueName('nobody') }),
    ]);
    requests += 2;
    expect(known.status).toBe(400);
    expect({ status: known.status, body: known.body }).toEqual({ status: stranger.status, body: stranger.body });
    // PATs: a forged token of the right shape and length and one of another length are both "Invalid Token".
    const created = await t.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: 'shape' }).expect(200);
    const real: string = created.body.data.token;
    const forgedSameLength = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
    for (const token of [forgedSameLength, real.slice(0, -5), `${real}x`]) {
      requests++;
      expect((await t.http.get('/v1/key-store/').set('Authorization', `Bearer ${token}`).expect(401)).body).toEqual({ status: false, error: { code: 4004, message: 'Invalid Token' } });
    }
  });
});
