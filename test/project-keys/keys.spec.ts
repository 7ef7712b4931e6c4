import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProject, createUser, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { b64, createEnvironment, expectNoPlaintext, keyBody, ok, rsaPems, secretKey, tableDump } from './support.js';

const PROJECT_KEY_TABLES = ['project_keys', 'project_key_contents', 'key_deployments', 'environments'];

describe('/apiops project keys', () => {
  let t: TestApp;
  let admin: TestUser;
  let project: string;
  let production: string;
  let staging: string;
  /** Every content sent in this file, to prove none is stored or answered in plaintext. */
  const sent: string[] = [];
  const content = (value: string) => (sent.push(value), value);

  const keys = (suffix = '') => `/apiops/projects/${project}/keys/${suffix}`;
  const deployedKeys = async (environment: string) =>
    (await t.http.get(`/apiops/projects/${project}/environments/${environment}/deployed-keys/`).set(admin.auth).expect(200)).body;
  const getKey = async (name: string) => (await t.http.get(keys(`${name}/`)).set(admin.auth).expect(200)).body.key;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
    project = await createProject(t, admin);
    // Fixed names as in the seed: environment names are unique per project only.
    production = (await createEnvironment(t, admin, project, { name: 'production' })).name;
    staging = (await createEnvironment(t, admin, project, { name: 'staging' })).name;
  });
  afterAll(() => t.close());

  describe('seed 003', () => {
    it('creates a PRIVATE_KEY deployed to production, then refuses the same name with the seed text', async () => {
      const { privatePem } = rsaPems();
      const body = keyBody('my-key', 'PRIVATE_KEY', [{ environmentName: 'production', content: content(b64(privatePem)), alias: 'my-key-alias' }]);

      const created = await t.http.post(keys()).set(admin.auth).send(body).expect(200);
      expect(created.body).toEqual(ok(['production']));

      const duplicate = await t.http.post(keys()).set(admin.auth).send(body).expect(400);
      expect(duplicate.body).toEqual({
        error: 'bad_request',
        error_description: 'Key (name: my-key) is already exist! Try update operation if want to change its value.',
      });
      const sameNameOtherCase = await t.http.post(keys()).set(admin.auth).send({ ...body, name: 'MY-KEY' }).expect(400);
      expect(sameNameOtherCase.body.error_description).toBe('Key (name: MY-KEY) is already exist! Try update operation if want to change its value.');

      const deployed = await deployedKeys('production');
      expect(deployed.resultList).toContainEqual({
        name: 'my-key',
        keyType: 'PRIVATE_KEY',
        alias: 'my-key-alias',
        version: 1,
        content: b64(privatePem),
        deploymentStatus: 'DEPLOYED',
      });
    });

    it('creates a SECRET_KEY deployed to two environments, each with its own content and alias', async () => {
      const name = uniqueName('multi');
      const prod = content(secretKey(32));
      const stag = content(secretKey(16));
      const created = await t.http
        .post(keys())
        .set(admin.auth)
        .send(
          keyBody(name, 'SECRET_KEY', [
            { environmentName: 'production', content: prod, alias: 'prod-key-alias' },
            { environmentName: 'staging', content: stag, alias: 'staging-key-alias' },
          ]),
        )
        .expect(200);
      expect(created.body).toEqual(ok(['production', 'staging']));

      expect((await deployedKeys(production)).resultList).toContainEqual(expect.objectContaining({ name, alias: 'prod-key-alias', content: prod, version: 1 }));
      expect((await deployedKeys(staging)).resultList).toContainEqual(expect.objectContaining({ name, alias: 'staging-key-alias', content: stag, version: 1 }));

      const key = await getKey(name);
      expect(key).toMatchObject({ name, keyType: 'SECRET_KEY', description: 'Key for API encryption', version: 1, createdBy: admin.id });
      expect(key.cryptoKeyInfoEnvironmentList).toEqual([
        { environmentName: 'production', alias: 'prod-key-alias', version: 1, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), deploymentStatus: 'DEPLOYED', deployedVersion: 1, deploymentMessage: 'Deployed successfully' },
        { environmentName: 'staging', alias: 'staging-key-alias', version: 1, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), deploymentStatus: 'DEPLOYED', deployedVersion: 1, deploymentMessage: 'Deployed successfully' },
      ]);
      expect(key.cryptoKeyInfoEnvironmentList[0].fingerprint).not.toBe(key.cryptoKeyInfoEnvironmentList[1].fingerprint);
    });
  });

  it('creates a key without environments: stored, deployed nowhere', async () => {
    const name = uniqueName('bare');
    const res = await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [])).expect(200);
    expect(res.body).toEqual({ success: true, deploymentResult: { success: true, message: 'Deployment completed successfully', environmentResults: [] } });
    expect(await getKey(name)).toMatchObject({ name, version: 1, cryptoKeyInfoEnvironmentList: [] });
  });

  it('lists the project keys as resultList/resultCount, with and without the trailing slash', async () => {
    const name = uniqueName('listed');
    await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: content(secretKey(24)) }])).expect(200);
    const list = await t.http.get(`/apiops/projects/${project}/keys`).set(admin.auth).expect(200);
    expect(list.body.success).toBe(true);
    expect(list.body.resultCount).toBe(list.body.resultList.length);
    expect(list.body.resultList.map((k: { name: string }) => k.name)).toContain(name);
    await t.http.get(`/apiops/projects/${project}/keys/${name}`).set(admin.auth).expect(200);
    await t.http.get(`/apiops/projects/${project.toLowerCase()}/keys/${name.toUpperCase()}/`).set(admin.auth).expect(200);
  });

  describe('errors', () => {
    it('answers an unknown environment in the list with the SPEC text, creating nothing', async () => {
      const name = uniqueName('nowhere');
      const res = await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(name, 'SECRET_KEY', [{ environmentName: 'production', content: secretKey() }, { environmentName: 'x', content: secretKey() }]))
        .expect(400);
      expect(res.body).toEqual({ error: 'bad_request', error_description: 'Environment (x) is not found or user does not have privilege to access it!' });
      await t.http.get(keys(`${name}/`)).set(admin.auth).expect(404);
    });

    it('refuses an environment listed twice', async () => {
      const res = await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(uniqueName('twice'), 'SECRET_KEY', [{ environmentName: 'production', content: secretKey() }, { environmentName: 'PRODUCTION', content: secretKey() }]))
        .expect(400);
      expect(res.body).toEqual({ error: 'bad_request', error_description: 'Environment (PRODUCTION) is listed more than once' });
    });

    it('answers an unknown key with not_found on every key route', async () => {
      const expected = { error: 'not_found', error_description: 'Key (name: ghost) is not found or user does not have privilege to access it!' };
      const calls = [
        () => t.http.get(keys('ghost/')).set(admin.auth),
        () => t.http.put(keys('ghost/')).set(admin.auth).send({ description: 'x' }),
        () => t.http.delete(keys('ghost/')).set(admin.auth),
        () => t.http.post(keys('ghost/environments/production/deployment/')).set(admin.auth),
        () => t.http.delete(keys('ghost/environments/production/deployment/')).set(admin.auth),
      ];
      for (const call of calls) {
        const res = await call();
        expect(res.status).toBe(404);
        expect(res.body).toEqual(expected);
      }
    });

    it('answers an unknown environment in a path with not_found', async () => {
      const name = uniqueName('pathenv');
      await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [])).expect(200);
      const expected = { error: 'not_found', error_description: 'Environment (nope) is not found or user does not have privilege to access it!' };
      expect((await t.http.post(keys(`${name}/environments/nope/deployment/`)).set(admin.auth).expect(404)).body).toEqual(expected);
      expect((await t.http.delete(keys(`${name}/environments/nope/deployment/`)).set(admin.auth).expect(404)).body).toEqual(expected);
      expect((await t.http.get(`/apiops/projects/${project}/environments/nope/deployed-keys/`).set(admin.auth).expect(404)).body).toEqual(expected);
    });

    it('refuses deploying where the key has no content, and undeploying where it is not deployed', async () => {
      const name = uniqueName('partial');
      await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: secretKey() }])).expect(200);
      const deploy = await t.http.post(keys(`${name}/environments/staging/deployment/`)).set(admin.auth).expect(400);
      expect(deploy.body).toEqual({ error: 'bad_request', error_description: `Key (name: ${name}) has no content for environment (staging): add it with an update first` });
      const undeploy = await t.http.delete(keys(`${name}/environments/staging/deployment/`)).set(admin.auth).expect(400);
      expect(undeploy.body).toEqual({ error: 'bad_request', error_description: `Key (name: ${name}) is not deployed to environment (staging)` });
      const recorded = await t.db.query("SELECT action FROM audit_events WHERE resource_type = 'project.key' AND resource_id = $1 ORDER BY id", [`${project}/${name}`]);
      expect(recorded).toEqual([{ action: 'project.key.create' }, { action: 'project.key.deploy' }]);
    });

    it.each([
      [{ description: 'no name', keyType: 'SECRET_KEY', cryptoKeyInfoEnvironmentList: [] }, 'name'],
      [{ name: 'has space', keyType: 'SECRET_KEY', cryptoKeyInfoEnvironmentList: [] }, 'name'],
      [{ name: 'k1', keyType: 'AES_KEY', cryptoKeyInfoEnvironmentList: [] }, 'keyType'],
      [{ name: 'k1', keyType: 'SECRET_KEY' }, 'cryptoKeyInfoEnvironmentList'],
      [{ name: 'k1', keyType: 'SECRET_KEY', cryptoKeyInfoEnvironmentList: [{ environmentName: 'production' }] }, 'cryptoKeyInfoEnvironmentList.0.content'],
      [{ name: 'k1', keyType: 'SECRET_KEY', cryptoKeyInfoEnvironmentList: [{ content: 'AAAAAAAAAAA=' }] }, 'cryptoKeyInfoEnvironmentList.0.environmentName'],
    ])('validates the KeyCreateDTO: %o → %s', async (body, field) => {
      const res = await t.http.post(keys()).set(admin.auth).send(body).expect(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', error_description: 'Request validation failed' });
      expect(res.body.validation_errors).toContainEqual({ field, message: expect.any(String) });
    });
  });

  // Needs real concurrent sessions: the embedded PGlite multiplexes every connection onto one
  // session message by message, so truly simultaneous requests can read each other's results there.
  it.skipIf(!inject('serverUrl'))('lets exactly one of several racing creates of one name win', async () => {
    const name = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: secretKey() }]))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    for (const loser of results.filter((r) => r.status === 400)) expect(loser.body.error_description).toContain('is already exist!');
    // A create is one statement: the losers left no content, deployment or audit event behind.
    const [{ id }] = await t.db.query('SELECT id FROM project_keys WHERE name = $1', [name]);
    expect(await t.db.query('SELECT key_id FROM project_key_contents WHERE key_id = $1', [id])).toHaveLength(1);
    expect(await t.db.query('SELECT key_id FROM key_deployments WHERE key_id = $1', [id])).toHaveLength(1);
    const events: { action: string }[] = await t.db.query("SELECT action FROM audit_events WHERE resource_type = 'project.key' AND resource_id = $1 ORDER BY id", [`${project}/${name}`]);
    expect(events.map((e) => e.action)).toEqual(['project.key.create', 'project.key.deploy']);
  });

  describe('update', () => {
    it('makes a new version and redeploys it wherever the key is deployed, plus the environments it names', async () => {
      const qa = (await createEnvironment(t, admin, project)).name;
      const name = uniqueName('versioned');
      const first = content(secretKey());
      const stag = content(secretKey());
      await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: first, alias: 'a1' }, { environmentName: staging, content: stag }]))
        .expect(200);
      const fingerprintsBefore = (await getKey(name)).cryptoKeyInfoEnvironmentList.map((e: { fingerprint: string }) => e.fingerprint);

      const second = content(secretKey());
      const updated = await t.http
        .put(keys(`${name}/`))
        .set(admin.auth)
        .send({ description: 'rotated', cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: second }, { environmentName: qa, content: content(secretKey(8)), alias: 'qa' }] })
        .expect(200);
      expect(updated.body).toEqual(ok([production, staging, qa]));

      const key = await getKey(name);
      expect(key).toMatchObject({ description: 'rotated', version: 2 });
      const byEnvironment = Object.fromEntries(key.cryptoKeyInfoEnvironmentList.map((e: { environmentName: string }) => [e.environmentName, e]));
      // production: new content, alias kept (not sent); staging: content unchanged but redeployed; qa: added and deployed.
      expect(byEnvironment[production]).toMatchObject({ alias: 'a1', version: 2, deployedVersion: 2, deploymentStatus: 'DEPLOYED' });
      expect(byEnvironment[production].fingerprint).not.toBe(fingerprintsBefore[0]);
      expect(byEnvironment[staging]).toMatchObject({ version: 1, deployedVersion: 2, fingerprint: fingerprintsBefore[1] });
      expect(byEnvironment[qa]).toMatchObject({ alias: 'qa', version: 2, deployedVersion: 2 });

      expect((await deployedKeys(production)).resultList).toContainEqual(expect.objectContaining({ name, content: second, version: 2, alias: 'a1' }));
      expect((await deployedKeys(staging)).resultList).toContainEqual(expect.objectContaining({ name, content: stag, version: 2 }));
    });

    it('replaces an alias that is sent, clears one sent as null and keeps one not sent', async () => {
      const name = uniqueName('aliased');
      const entries = [production, staging].map((environmentName) => ({ environmentName, content: secretKey(), alias: `old-${environmentName}` }));
      await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', entries)).expect(200);
      await t.http
        .put(keys(`${name}/`))
        .set(admin.auth)
        .send({ cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: secretKey(), alias: null }, { environmentName: staging, content: secretKey() }] })
        .expect(200);
      const aliases = Object.fromEntries((await getKey(name)).cryptoKeyInfoEnvironmentList.map((e: { environmentName: string; alias: string | null }) => [e.environmentName, e.alias]));
      expect(aliases).toEqual({ [production]: null, [staging]: `old-${staging}` });
      await t.http.put(keys(`${name}/`)).set(admin.auth).send({ cryptoKeyInfoEnvironmentList: [{ environmentName: staging, content: secretKey(), alias: 'new' }] }).expect(200);
      expect((await getKey(name)).cryptoKeyInfoEnvironmentList.find((e: { environmentName: string }) => e.environmentName === staging).alias).toBe('new');
    });

    it('renames a key; a name taken (in any case) answers the duplicate text', async () => {
      const taken = uniqueName('taken');
      const name = uniqueName('renamed');
      await t.http.post(keys()).set(admin.auth).send(keyBody(taken, 'SECRET_KEY', [])).expect(200);
      await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: secretKey() }])).expect(200);

      const before = await getKey(name);
      for (const collision of [taken, taken.toUpperCase()]) {
        // With new content too: the refused rename leaves the content, its deployment and the audit trail as they were.
        const res = await t.http
          .put(keys(`${name}/`))
          .set(admin.auth)
          .send({ name: collision, cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: secretKey() }] })
          .expect(400);
        expect(res.body).toEqual({ error: 'bad_request', error_description: `Key (name: ${collision}) is already exist! Try update operation if want to change its value.` });
      }
      expect(await getKey(name)).toEqual(before);
      const events: { action: string }[] = await t.db.query("SELECT action FROM audit_events WHERE resource_type = 'project.key' AND resource_id = $1 ORDER BY id", [`${project}/${name}`]);
      expect(events.map((e) => e.action)).toEqual(['project.key.create', 'project.key.deploy']);

      const newName = uniqueName('new-name');
      await t.http.put(keys(`${name}/`)).set(admin.auth).send({ name: newName }).expect(200);
      await t.http.get(keys(`${name}/`)).set(admin.auth).expect(404);
      expect(await getKey(newName)).toMatchObject({ name: newName, version: 2 });
      const names = (await deployedKeys(production)).resultList.map((k: { name: string }) => k.name);
      expect(names).toContain(newName);
      expect(names).not.toContain(name);
    });

    it('changes the key type only with new content for every environment of the key', async () => {
      const name = uniqueName('retyped');
      await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: secretKey() }, { environmentName: staging, content: secretKey() }]))
        .expect(200);
      const { publicPem } = rsaPems();
      const publicContent = content(b64(publicPem));
      const partial = await t.http
        .put(keys(`${name}/`))
        .set(admin.auth)
        .send({ keyType: 'PUBLIC_KEY', cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: publicContent }] })
        .expect(400);
      expect(partial.body).toEqual({ error: 'bad_request', error_description: `Changing keyType to PUBLIC_KEY needs new content for every environment of the key; missing: ${staging}` });
      const notValidForNewType = await t.http.put(keys(`${name}/`)).set(admin.auth).send({ keyType: 'PUBLIC_KEY', cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: secretKey() }] }).expect(400);
      expect(notValidForNewType.body.error).toBe('validation_failed');

      await t.http
        .put(keys(`${name}/`))
        .set(admin.auth)
        .send({ keyType: 'PUBLIC_KEY', cryptoKeyInfoEnvironmentList: [{ environmentName: production, content: publicContent }, { environmentName: staging, content: publicContent }] })
        .expect(200);
      expect(await getKey(name)).toMatchObject({ keyType: 'PUBLIC_KEY', version: 2 });
    });
  });

  describe('deployments', () => {
    it('undeploys one environment: deployed-keys no longer has the key there; deploying again publishes the current version', async () => {
      const name = uniqueName('undeployed');
      const prod = content(secretKey());
      await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: prod }, { environmentName: staging, content: content(secretKey()) }]))
        .expect(200);

      const undeployed = await t.http.delete(keys(`${name}/environments/${production}/deployment/`)).set(admin.auth).expect(200);
      expect(undeployed.body).toEqual(ok([production], 'Undeploy'));
      expect((await deployedKeys(production)).resultList.map((k: { name: string }) => k.name)).not.toContain(name);
      expect((await deployedKeys(staging)).resultList.map((k: { name: string }) => k.name)).toContain(name);
      const entries = (await getKey(name)).cryptoKeyInfoEnvironmentList;
      expect(entries[0]).toMatchObject({ environmentName: production, deploymentStatus: 'NOT_DEPLOYED', deployedVersion: null });

      // An update while undeployed from production redeploys to staging only.
      await t.http.put(keys(`${name}/`)).set(admin.auth).send({ description: 'v2' }).expect(200);
      expect((await deployedKeys(production)).resultList.map((k: { name: string }) => k.name)).not.toContain(name);

      const deployed = await t.http.post(keys(`${name}/environments/${production}/deployment`)).set(admin.auth).expect(200);
      expect(deployed.body).toEqual(ok([production]));
      expect((await deployedKeys(production)).resultList).toContainEqual(expect.objectContaining({ name, content: prod, version: 2 }));
    });

    it('answers an environment with nothing deployed with an empty list, not 404', async () => {
      const empty = uniqueName('empty');
      await t.http.post(`/apiops/projects/${project}/environments/`).set(admin.auth).send({ name: empty, type: 'TEST' }).expect(200);
      expect(await deployedKeys(empty)).toEqual({ success: true, resultList: [], resultCount: 0 });
    });

    it('deletes a key by undeploying it everywhere first', async () => {
      const name = uniqueName('deleted');
      await t.http
        .post(keys())
        .set(admin.auth)
        .send(keyBody(name, 'SECRET_KEY', [{ environmentName: production, content: secretKey() }, { environmentName: staging, content: secretKey() }]))
        .expect(200);
      const [{ id }] = await t.db.query('SELECT id FROM project_keys WHERE name = $1', [name]);

      const deleted = await t.http.delete(keys(`${name}/`)).set(admin.auth).expect(200);
      expect(deleted.body).toEqual(ok([production, staging], 'Undeploy'));
      await t.http.get(keys(`${name}/`)).set(admin.auth).expect(404);
      for (const environment of [production, staging]) {
        expect((await deployedKeys(environment)).resultList.map((k: { name: string }) => k.name)).not.toContain(name);
      }
      for (const table of ['project_key_contents', 'key_deployments']) {
        expect(await t.db.query(`SELECT 1 FROM ${table} WHERE key_id = $1`, [id])).toEqual([]);
      }
      // The name is free again.
      await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [])).expect(200);
    });
  });

  it('keeps key content out of the database, list and get answers (sealed per row under the key ring)', async () => {
    const listed = JSON.stringify((await t.http.get(keys()).set(admin.auth).expect(200)).body);
    const got = [];
    for (const { name } of JSON.parse(listed).resultList) got.push(JSON.stringify(await getKey(name)));
    expect(sent.length).toBeGreaterThan(5);
    expectNoPlaintext([listed, ...got].join('\n'), sent);
    expectNoPlaintext(await tableDump(t, PROJECT_KEY_TABLES), sent);

    const rows: { id: string; key_ring_entry_id: string; ciphertext: Buffer }[] = await t.db.query(
      'SELECT c.id, c.key_ring_entry_id, c.ciphertext FROM project_key_contents c JOIN project_keys k ON k.id = c.key_id JOIN projects p ON p.id = k.project_id WHERE p.name = $1',
      [project],
    );
    expect(rows.length).toBeGreaterThan(5);
    const entries: unknown[] = await t.db.query('SELECT 1 FROM key_ring_entries WHERE id = ANY($1::uuid[])', [rows.map((r) => r.key_ring_entry_id)]);
    expect(entries.length).toBeGreaterThan(0);
    // A fresh nonce per value: no two ciphertexts alike, even for equal contents.
    expect(new Set(rows.map((r) => r.ciphertext.toString('hex'))).size).toBe(rows.length);
  });
});
