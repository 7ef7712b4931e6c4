import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service.js';
import { cli } from '../support/cli.js';
import { createProject, createUser, grant, login, uniqueName, type TestUser } from '../support/auth.js';
import { aesKeyBase64, DAY, isoIn } from '../support/key-material.js';
import { startIsolatedTestApp, startTestApp, type IsolatedTestApp, type TestApp } from '../support/test-app.js';

type AuditEvent = {
  id: string;
  action: string;
  outcome: string;
  actor: { id: string | null; tokenKind: string | null; tokenId: string | null };
  resource: { type: string; id: string | null };
  details: Record<string, unknown>;
  requestId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
};

describe('audit trail', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(() => t.close());

  async function events(query: Record<string, string>): Promise<AuditEvent[]> {
    const res = await t.http.get('/api/adm/audit-events').query({ limit: '100', ...query }).set(admin.auth).expect(200);
    expect(res.body).toMatchObject({ success: true, code: 200, errorMessage: null });
    return res.body.events;
  }

  it('names the request behind every event: a change, a refusal, a failed and a successful login', async () => {
    const run = uniqueName('req');
    const user = await createUser(t);
    const key = uniqueName('req-entry');
    await t.http.post('/v1/key-store/').set(user.auth).set('X-Request-Id', `${run}-write`).set('User-Agent', 'audit-agent/1').send({ key, data: {} }).expect(200);
    await t.http.get('/api/adm/users').set(user.auth).set('X-Request-Id', `${run}-denied`).expect(403);
    const tokenRequest = (id: string, secret: string) =>
      t.http.post('/oauth/token').set('X-Request-Id', id).type('form').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: secret });
    await tokenRequest(`${run}-failed`, 'wrong-secret-42').expect(401);
    await tokenRequest(`${run}-login`, user.secret).expect(200);

    const expected = [
      ['keystore.entry.create', `${run}-write`],
      ['auth.denied', `${run}-denied`],
      ['auth.login.failed', `${run}-failed`],
      ['auth.token.issue', `${run}-login`],
    ];
    for (const [action, requestId] of expected) {
      const found = (await events({ action })).filter((e) => e.requestId === requestId);
      expect(found, `${action} with request ${requestId}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ clientAddress: expect.stringMatching(/127\.0\.0\.1/) });
    }
    expect((await events({ action: 'keystore.entry.create' })).find((e) => e.requestId === `${run}-write`)).toMatchObject({ userAgent: 'audit-agent/1' });
  });

  it('records each kind of change once, with its actor and resource', async () => {
    const username = uniqueName('audited');
    const created = await t.http.post('/api/adm/users').set(admin.auth).set('X-Request-Id', 'audit-req-1').send({ username }).expect(200);
    const userId = created.body.id as string;
    await t.http.patch(`/api/adm/users/${userId}`).set(admin.auth).send({ isAdmin: false }).expect(200);
    const rotated = await t.http.post(`/api/adm/users/${userId}/secret`).set(admin.auth).send({}).expect(200);
    const token = await login(t, username, rotated.body.secret);
    const auth = { Authorization: `Bearer ${token}` };
    const pat = await t.http.post('/v1/personal-access-tokens').set(auth).send({ name: 'audited' }).expect(200);
    await t.http.delete(`/v1/personal-access-tokens/${pat.body.data.id}`).set(auth).expect(200);
    const project = await createProject(t, admin);
    await t.http.put(`/apiops/projects/${project}/members/${userId}`).set(admin.auth).send({ permissions: ['SECRETS:VIEW'] }).expect(200);
    await t.http.delete(`/apiops/projects/${project}/members/${userId}`).set(admin.auth).expect(200);
    const activationDate = isoIn(3000 * DAY + Math.random() * DAY);
    const entry = await t.http.post('/api/adm/KeyStores').set(admin.auth).send({ key: aesKeyBase64(), activationDate, expirationDate: isoIn(4000 * DAY) }).expect(200);
    // Changes nothing (the same activation, no expiration given): nothing to record.
    await t.http.put(`/api/adm/KeyStores/${entry.body.id}`).set(admin.auth).send({ activationDate, expirationDate: null }).expect(200);
    await t.http.put(`/api/adm/KeyStores/${entry.body.id}`).set(admin.auth).send({ activationDate, description: 'audited' }).expect(200);
    await t.http.delete(`/api/adm/KeyStores/${entry.body.id}`).set(admin.auth).expect(200);
    await t.http.post(`/apiops/projects/${project}/environments/`).set(admin.auth).send({ name: 'prod', type: 'PRODUCTION' }).expect(200);
    await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send({
      name: 'audited-key',
      keyType: 'SECRET_KEY',
      cryptoKeyInfoEnvironmentList: [{ environmentName: 'prod', content: aesKeyBase64() }],
    }).expect(200);
    await t.http.put(`/apiops/projects/${project}/keys/audited-key/`).set(admin.auth).send({ description: 'changed' }).expect(200);
    await t.http.delete(`/apiops/projects/${project}/keys/audited-key/environments/prod/deployment/`).set(admin.auth).expect(200);
    await t.http.post(`/apiops/projects/${project}/keys/audited-key/environments/prod/deployment/`).set(admin.auth).expect(200);
    await t.http.delete(`/apiops/projects/${project}/keys/audited-key/`).set(admin.auth).expect(200);
    const storeKey = uniqueName('audited-entry');
    await t.http.post('/v1/key-store/').set(auth).send({ key: storeKey, data: { a: 1 } }).expect(200);
    await t.http.put(`/v1/key-store/${storeKey}`).set(auth).send({ data: { b: 2 } }).expect(200);
    await t.http.delete(`/v1/key-store/${storeKey}`).set(auth).expect(200);

    const expectOne = async (action: string, resource: { type: string; id: string | null }, actorId: string | null) => {
      const found = (await events({ action, resource: resource.id ? `${resource.type}:${resource.id}` : resource.type })).filter(
        (e) => e.actor.id === actorId,
      );
      expect(found, action).toHaveLength(1);
      expect(found[0]).toMatchObject({ action, outcome: 'success', resource, actor: { id: actorId } });
      return found[0];
    };
    const userCreate = await expectOne('admin.user.create', { type: 'user', id: userId }, admin.id);
    expect(userCreate).toMatchObject({ requestId: 'audit-req-1', actor: { tokenKind: 'jwt', tokenId: expect.any(String) }, details: { username } });
    await expectOne('admin.user.update', { type: 'user', id: userId }, admin.id);
    await expectOne('admin.user.rotate_secret', { type: 'user', id: userId }, admin.id);
    await expectOne('auth.token.issue', { type: 'user', id: userId }, userId);
    await expectOne('auth.pat.create', { type: 'personal_access_token', id: pat.body.data.id }, userId);
    await expectOne('auth.pat.revoke', { type: 'personal_access_token', id: pat.body.data.id }, userId);
    await expectOne('project.create', { type: 'project', id: project }, admin.id);
    await expectOne('project.member.set', { type: 'project', id: project }, admin.id);
    await expectOne('project.member.remove', { type: 'project', id: project }, admin.id);
    await expectOne('keyring.entry.create', { type: 'keyring.entry', id: entry.body.id }, admin.id);
    expect((await expectOne('keyring.entry.update', { type: 'keyring.entry', id: entry.body.id }, admin.id)).details).toEqual({ description: 'audited' });
    await expectOne('keyring.entry.delete', { type: 'keyring.entry', id: entry.body.id }, admin.id);
    const projectKey = { type: 'project.key', id: `${project}/audited-key` };
    await expectOne('project.environment.create', { type: 'project.environment', id: `${project}/prod` }, admin.id);
    expect((await expectOne('project.key.create', projectKey, admin.id)).details).toEqual({ keyType: 'SECRET_KEY', version: 1 });
    expect((await expectOne('project.key.update', projectKey, admin.id)).details).toMatchObject({ version: 2 });
    expect((await expectOne('project.key.delete', projectKey, admin.id)).details).toEqual({ version: 2 });
    const deploys = (await events({ action: 'project.key.deploy', resource: `project.key:${project}/audited-key` })).map((e) => e.details);
    expect(deploys).toEqual([{ version: 2, environments: ['prod'] }, { version: 2, environments: ['prod'] }, { version: 1, environments: ['prod'] }]);
    const undeploys = (await events({ action: 'project.key.undeploy', resource: `project.key:${project}/audited-key` })).map((e) => e.details);
    expect(undeploys).toEqual([{ environments: ['prod'] }, { environments: ['prod'] }]);
    expect((await expectOne('keystore.entry.create', { type: 'keystore.entry', id: storeKey }, userId)).details).toEqual({ version: 1 });
    expect((await expectOne('keystore.entry.update', { type: 'keystore.entry', id: storeKey }, userId)).details).toEqual({ mode: 'merge', version: 2 });
    await expectOne('keystore.entry.delete', { type: 'keystore.entry', id: storeKey }, userId);
  });

  it('records refusals and failed logins, and no success for a change that failed', async () => {
    const user = await createUser(t);
    await t.http.get('/api/adm/users').set(user.auth).expect(403);
    const denied = (await events({ action: 'auth.denied', actorId: user.id }))[0];
    expect(denied).toMatchObject({ outcome: 'denied', resource: { type: 'route', id: 'GET /api/adm/users' }, details: { reason: 'forbidden' } });

    const project = await createProject(t, admin);
    await t.http.get(`/apiops/projects/${project}/environments`).set(user.auth).expect(404);
    const outsider = (await events({ action: 'auth.denied', actorId: user.id })).find((e) => e.details.reason === 'not_found');
    expect(outsider).toMatchObject({ details: { projectName: project } });
    // PostgreSQL text cannot hold U+0000: the refusal is recorded with it replaced, not lost.
    await t.http.get(`/apiops/projects/${project}%00x/environments`).set(user.auth).expect(404);
    const withNul = (await events({ action: 'auth.denied', actorId: user.id })).filter((e) => e.details.projectName === `${project}\uFFFDx`);
    expect(withNul).toHaveLength(1);

    const marker = uniqueName('nobody');
    await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: marker, client_secret: 'wrong-secret-42' }).expect(401);
    const failed = (await events({ action: 'auth.login.failed' })).filter((e) => e.details.clientId === marker);
    expect(failed).toHaveLength(1);
    expect(failed[0].outcome).toBe('failure');
    expect((await events({ action: 'auth.denied', resource: 'route:POST /oauth/token' })).filter((e) => e.requestId === failed[0].requestId)).toEqual([]);

    const taken = uniqueName('taken');
    await t.http.post('/v1/key-store/').set(admin.auth).send({ key: taken, data: {} }).expect(200);
    await t.http.post('/v1/key-store/').set(user.auth).send({ key: taken, data: { x: 1 } }).expect(409);
    await t.http.put(`/v1/key-store/${taken}`).set(user.auth).send({ data: { x: 1 } }).expect(403);
    const ownership = (await events({ action: 'auth.denied', actorId: user.id })).find((e) => e.resource.id === 'PUT /v1/key-store/:keyStoreKey');
    expect(ownership).toMatchObject({ outcome: 'denied', details: { reason: 'forbidden' } });
    expect(await events({ resource: `keystore.entry:${taken}`, action: 'keystore.entry.update' })).toEqual([]);
    expect(await events({ resource: `keystore.entry:${taken}`, action: 'keystore.entry.create' })).toHaveLength(1);

    const before = (await events({ action: 'project.create', resource: `project:${project}` })).length;
    await t.http.post('/apiops/projects/').set(admin.auth).send({ name: project }).expect(400);
    expect((await events({ action: 'project.create', resource: `project:${project}` })).length).toBe(before);
  });

  it('never stores secret values in events', async () => {
    const user = await createUser(t);
    const pat = await t.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: 'secretive' }).expect(200);
    const material = aesKeyBase64();
    await t.http.post('/api/adm/KeyStores').set(admin.auth).send({ key: material, activationDate: isoIn(5000 * DAY + Math.random() * DAY), expirationDate: isoIn(6000 * DAY) }).expect(200);
    await t.http.post('/v1/key-store/').set(user.auth).send({ key: uniqueName('secretive'), data: { password: 'stored-secret-value-66' } }).expect(200);
    const created = await t.http.post('/api/adm/users').set(admin.auth).send({ username: uniqueName('s'), secret: 'chosen-secret-value-77' }).expect(200);
    await t.http.post(`/api/adm/users/${created.body.id}/secret`).set(admin.auth).send({ secret: 'rotated-secret-value-88' }).expect(200);
    await t.http.post('/oauth/token').send({ grant_type: 'client_credentials', client_id: user.username, client_secret: 'wrong-secret-value-99' }).expect(401);
    const [dump] = await t.db.query("SELECT string_agg(audit_events::text, '\n') AS text FROM audit_events");
    for (const secret of [user.secret, user.token, pat.body.data.token, material, 'stored-secret-value-66', 'chosen-secret-value-77', 'rotated-secret-value-88', 'wrong-secret-value-99']) {
      expect(dump.text).not.toContain(secret);
    }
  });

  it('filters by action, actor, resource and time, and pages newest first with a cursor', async () => {
    const user = await createUser(t);
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++) await t.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: `page-${i}` }).expect(200);
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const res = await t.http
        .get('/api/adm/audit-events')
        .query({ action: 'auth.pat.create', actorId: user.id, limit: '2', from: start, ...(cursor ? { cursor } : {}) })
        .set(admin.auth)
        .expect(200);
      expect(res.body.events.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.events);
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((e) => e.details.name)).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(await events({ action: 'auth.pat.create', actorId: user.id, to: start })).toEqual([]);
    // Garbage, and cursors of the right shape whose values the database cannot compare (beyond bigint, before year 0).
    const tampered = [
      { at: '2026-11-23T00:00:00Z', id: '9999999999999999999' },
      { at: '-271821-04-20T00:00:00Z', id: '1' },
    ].map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url'));
    for (const cursor of ['garbage', ...tampered]) {
      const refused = await t.http.get('/api/adm/audit-events').query({ cursor }).set(admin.auth).expect(400);
      expect(refused.body.errorMessage).toMatch(/cursor is not one this API returned/);
    }
    await t.http.get('/api/adm/audit-events').query({ from: 'yesterday' }).set(admin.auth).expect(400);
    await t.http.get('/api/adm/audit-events').query({ limit: '0x10' }).set(admin.auth).expect(400);
    const weekDate = await t.http.get('/api/adm/audit-events').query({ to: '2026-W01-1' }).set(admin.auth).expect(400);
    expect(weekDate.body.errorMessage).toMatch(/to must be an ISO 8601 date-time/);
    await t.http.get('/api/adm/audit-events').set(user.auth).expect(403);
  });

  it('refuses to update or delete audit rows', async () => {
    await expect(t.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(t.db.query("UPDATE audit_events SET action = 'forged'")).rejects.toThrow(/append-only/);
    await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });
});

describe('audit chain and fail-closed writes', () => {
  let t: IsolatedTestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startIsolatedTestApp({ KEYWARD_AUDIT_SEAL_INTERVAL_MS: '0' });
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const auditCli = (args: string[]) => cli(args, { env: { DATABASE_URL: t.databaseUrl, KEYWARD_AUDIT_SEAL_INTERVAL_MS: '0' } });

  it('seals events into a hash chain that verifies, and names the first event edited behind its back', async () => {
    for (let i = 0; i < 3; i++) await createProject(t, admin);
    expect(await t.app.get(AuditService).sealNow()).toBeGreaterThan(3);
    const sealed: { id: string; chain_seq: string; prev_hash: string; hash: string }[] = await t.db.query(
      'SELECT id, chain_seq, prev_hash, hash FROM audit_events ORDER BY chain_seq',
    );
    expect(sealed[0].prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < sealed.length; i++) expect(sealed[i].prev_hash).toBe(sealed[i - 1].hash);

    const intact = await auditCli(['audit', 'verify']);
    expect(intact).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Audit chain intact: \d+ sealed events verified/) });

    const victim = sealed[Math.floor(sealed.length / 2)];
    await t.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await t.db.query(`UPDATE audit_events SET details = '{"forged": true}' WHERE id = $1`, [victim.id]);
    } finally {
      await t.db.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    }
    const broken = await auditCli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`Audit chain broken at event ${victim.id} (chain position ${victim.chain_seq})`);
  });

  it('exports events as JSON lines', async () => {
    const exported = await auditCli(['audit', 'export', '--from', '2000-01-01T00:00:00Z']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.split('\n').map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatchObject({ id: expect.any(String), action: expect.any(String), resource: { type: expect.any(String) } });
    expect((await auditCli(['audit', 'export', '--to', '2000-01-01T00:00:00Z'])).stdout).toBe('');
  });

  it('does not make a change whose audit event cannot be written', async () => {
    await t.db.query("ALTER TABLE audit_events ADD CONSTRAINT refuse_project_create CHECK (action <> 'project.create') NOT VALID");
    const name = uniqueName('Unaudited');
    try {
      const res = await t.http.post('/apiops/projects/').set(admin.auth).send({ name }).expect(500);
      expect(res.body).toEqual({ error: 'internal_error', error_description: 'Internal Error' });
      expect(await t.db.query('SELECT 1 FROM projects WHERE name = $1', [name])).toEqual([]);
    } finally {
      await t.db.query('ALTER TABLE audit_events DROP CONSTRAINT refuse_project_create');
    }
    const member = await createUser(t);
    const project = await createProject(t, admin);
    await grant(t, admin, project, member, ['SECRETS:VIEW']);
  });

  it('does not store a key-store entry whose audit event cannot be written (write and event are one statement)', async () => {
    await t.db.query("ALTER TABLE audit_events ADD CONSTRAINT refuse_entry_create CHECK (action <> 'keystore.entry.create') NOT VALID");
    const key = uniqueName('unaudited');
    try {
      const res = await t.http.post('/v1/key-store/').set(admin.auth).send({ key, data: { a: 1 } }).expect(500);
      expect(res.body).toEqual({ status: false, error: { code: 1000, message: 'Internal Error' } });
      expect(await t.db.query('SELECT 1 FROM key_store_entries WHERE key = $1', [key])).toEqual([]);
    } finally {
      await t.db.query('ALTER TABLE audit_events DROP CONSTRAINT refuse_entry_create');
    }
    await t.http.post('/v1/key-store/').set(admin.auth).send({ key, data: { a: 1 } }).expect(200);
  });
});
