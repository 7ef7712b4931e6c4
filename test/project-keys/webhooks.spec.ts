import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProject, createUser, grant, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { b64, createEnvironment, expectNoPlaintext, keyBody, ok, rsaPems, secretKey, tableDump, verifySignature, WebhookReceiver } from './support.js';

const TIMEOUT_MS = 400;

describe('deployment webhooks', () => {
  let t: TestApp;
  let admin: TestUser;
  let project: string;
  let good: WebhookReceiver;
  let flaky: WebhookReceiver;
  /** An environment whose webhook answers 200, one whose answer the test chooses, one without webhook. */
  const env = { good: { name: '', secret: '' }, flaky: { name: '', secret: '' }, plain: '' };
  const sent: string[] = [];
  const content = (value: string) => (sent.push(value), value);
  const keys = (suffix = '') => `/apiops/projects/${project}/keys/${suffix}`;
  const entries = async (name: string) => {
    const key = (await t.http.get(keys(`${name}/`)).set(admin.auth).expect(200)).body.key;
    return Object.fromEntries(key.cryptoKeyInfoEnvironmentList.map((e: { environmentName: string }) => [e.environmentName, e]));
  };

  beforeAll(async () => {
    t = await startTestApp({ KEYWARD_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    admin = await createUser(t, { isAdmin: true });
    project = await createProject(t, admin);
    good = await new WebhookReceiver().start();
    flaky = await new WebhookReceiver().start();
    for (const [slot, receiver] of [['good', good], ['flaky', flaky]] as const) {
      const created = await createEnvironment(t, admin, project, { webhookUrl: receiver.url });
      env[slot] = { name: created.name, secret: created.webhookSecret! };
    }
    env.plain = (await createEnvironment(t, admin, project)).name;
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), flaky?.stop()]);
    await t.close();
  });
  beforeEach(() => {
    good.reset();
    flaky.reset();
  });

  describe('environments', () => {
    it('returns a webhook secret once, at creation, and stores it only sealed', async () => {
      const name = uniqueName('hooked');
      const res = await t.http.post(`/apiops/projects/${project}/environments`).set(admin.auth).send({ name, type: 'PRODUCTION', webhookUrl: good.url }).expect(200);
      expect(res.body).toEqual({
        success: true,
        environment: expect.objectContaining({ name, type: 'PRODUCTION', webhookUrl: good.url }),
        webhookSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const listed = await t.http.get(`/apiops/projects/${project}/environments`).set(admin.auth).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(res.body.webhookSecret);
      expect(listed.body.resultList).toContainEqual(expect.objectContaining({ name, webhookUrl: good.url }));
      expect(Object.keys(listed.body.resultList[0]).sort()).toEqual(['createdAt', 'description', 'id', 'name', 'type', 'webhookUrl']);

      const [row] = await t.db.query('SELECT key_ring_entry_id, ciphertext FROM environments WHERE id = $1', [res.body.environment.id]);
      expect(row.key_ring_entry_id).toEqual(expect.any(String));
      expect(row.ciphertext.length).toBeGreaterThan(32);
      const dump = await tableDump(t, ['environments']);
      for (const secret of [res.body.webhookSecret, env.good.secret, env.flaky.secret]) {
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
      }
      // Without a webhook there is no secret.
      const plain = await t.http.post(`/apiops/projects/${project}/environments`).set(admin.auth).send({ name: uniqueName('plain'), type: 'TEST' }).expect(200);
      expect(plain.body.webhookSecret).toBeUndefined();
      expect(plain.body.environment.webhookUrl).toBeNull();
    });

    it('lets only administrators set a webhookUrl', async () => {
      const manager = await createUser(t);
      await grant(t, admin, project, manager, ['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY']);
      const res = await t.http.post(`/apiops/projects/${project}/environments`).set(manager.auth).send({ name: uniqueName('sneaky'), type: 'TEST', webhookUrl: good.url }).expect(403);
      expect(res.body).toEqual({ error: 'forbidden', error_description: 'Forbidden - administrator rights are required to set a webhookUrl' });
      await t.http.post(`/apiops/projects/${project}/environments`).set(manager.auth).send({ name: uniqueName('fine'), type: 'TEST' }).expect(200);
    });

    it.each(['ftp://example.com/hook', 'not a url', 'http://user:pass@example.com/hook', 'javascript:alert(1)'])('refuses webhookUrl %s', async (webhookUrl) => {
      const res = await t.http.post(`/apiops/projects/${project}/environments`).set(admin.auth).send({ name: uniqueName('bad'), type: 'TEST', webhookUrl }).expect(400);
      expect(res.body).toEqual({
        error: 'validation_failed',
        error_description: 'Request validation failed',
        validation_errors: [{ field: 'webhookUrl', message: 'webhookUrl must be an http(s) URL without credentials' }],
      });
    });
  });

  it('notifies webhook environments with a signed event that carries no key material', async () => {
    const name = uniqueName('signed');
    const { privatePem } = rsaPems();
    const res = await t.http
      .post(keys())
      .set(admin.auth)
      .send(keyBody(name, 'PRIVATE_KEY', [{ environmentName: env.good.name, content: content(b64(privatePem)) }, { environmentName: env.plain, content: content(b64(privatePem)) }]))
      .expect(200);
    expect(res.body).toEqual(ok([env.good.name, env.plain]));

    expect(good.received).toHaveLength(1);
    const [hook] = good.received;
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['x-keyward-event']).toBe('key.deployed');
    expect(JSON.parse(hook.body)).toEqual({ event: 'key.deployed', project, keyName: name, environment: env.good.name, version: 1, timestamp: expect.any(String) });
    expect(Math.abs(Date.parse(JSON.parse(hook.body).timestamp) - Date.now())).toBeLessThan(60_000);
    expect(verifySignature(env.good.secret, hook.body, hook.headers['x-keyward-signature'] as string)).toBe(true);
    // The signature binds the body and the environment's own secret.
    expect(verifySignature(env.good.secret, hook.body.replace('"version":1', '"version":2'), hook.headers['x-keyward-signature'] as string)).toBe(false);
    expect(verifySignature(env.flaky.secret, hook.body, hook.headers['x-keyward-signature'] as string)).toBe(false);
    expect(flaky.received).toHaveLength(0);

    expect(await entries(name)).toMatchObject({
      [env.good.name]: { deploymentStatus: 'DEPLOYED', deploymentMessage: 'Deployed successfully' },
      [env.plain]: { deploymentStatus: 'DEPLOYED' },
    });
  });

  it('reports a webhook answering 500 as that environment failing, without undoing the others, and a retry fixes it', async () => {
    flaky.reset(500);
    const name = uniqueName('flaky');
    const value = content(secretKey());
    const res = await t.http
      .post(keys())
      .set(admin.auth)
      .send(keyBody(name, 'SECRET_KEY', [{ environmentName: env.good.name, content: value }, { environmentName: env.flaky.name, content: value }]))
      .expect(200);
    expect(res.body).toEqual({
      success: true,
      deploymentResult: {
        success: false,
        message: 'Deployment completed with errors: 1 of 2 environments failed',
        environmentResults: [
          { environmentName: env.good.name, success: true, message: 'Deployed successfully' },
          { environmentName: env.flaky.name, success: false, message: 'Published, but the webhook notification failed: HTTP 500; deploy again to retry' },
        ],
      },
    });
    expect(flaky.received).toHaveLength(1);
    expect(await entries(name)).toMatchObject({
      [env.good.name]: { deploymentStatus: 'DEPLOYED' },
      [env.flaky.name]: { deploymentStatus: 'FAILED', deploymentMessage: 'Published, but the webhook notification failed: HTTP 500; deploy again to retry' },
    });
    // Published all the same: the gateway can pull it, and sees the failure.
    const pulled = await t.http.get(`/apiops/projects/${project}/environments/${env.flaky.name}/deployed-keys`).set(admin.auth).expect(200);
    expect(pulled.body.resultList).toContainEqual(expect.objectContaining({ name, content: value, deploymentStatus: 'FAILED' }));

    flaky.reset(204);
    const retried = await t.http.post(keys(`${name}/environments/${env.flaky.name}/deployment/`)).set(admin.auth).expect(200);
    expect(retried.body).toEqual(ok([env.flaky.name]));
    expect(flaky.received).toHaveLength(1);
    expect(verifySignature(env.flaky.secret, flaky.received[0].body, flaky.received[0].headers['x-keyward-signature'] as string)).toBe(true);
    expect(await entries(name)).toMatchObject({ [env.flaky.name]: { deploymentStatus: 'DEPLOYED', deploymentMessage: 'Deployed successfully' } });
  });

  it('gives up on a webhook that does not answer within KEYWARD_WEBHOOK_TIMEOUT_MS', async () => {
    flaky.reset(200, 3000);
    const name = uniqueName('slow');
    const started = Date.now();
    const res = await t.http.post(keys()).set(admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: env.flaky.name, content: content(secretKey()) }])).expect(200);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.body.deploymentResult).toEqual({
      success: false,
      message: 'Deployment completed with errors: 1 of 1 environments failed',
      environmentResults: [
        { environmentName: env.flaky.name, success: false, message: `Published, but the webhook notification failed: no answer within ${TIMEOUT_MS} ms; deploy again to retry` },
      ],
    });
    expect((await entries(name))[env.flaky.name].deploymentStatus).toBe('FAILED');
  });

  it('keeps a later deployment\'s outcome when an earlier, slower notification gives up after it', async () => {
    const name = uniqueName('overtaken');
    // The first notification hangs past the timeout; the retry's is answered at once.
    flaky.queue = [
      { status: 200, delayMs: 3000 },
      { status: 200, delayMs: 0 },
    ];
    const pending = t.http
      .post(keys())
      .set(admin.auth)
      .send(keyBody(name, 'SECRET_KEY', [{ environmentName: env.flaky.name, content: content(secretKey()) }]))
      .then((res) => res);
    await expect.poll(() => flaky.received.length, { timeout: 2000, interval: 10 }).toBe(1);
    // Committed and published, notification under way.
    expect((await entries(name))[env.flaky.name]).toMatchObject({ deploymentStatus: 'PENDING', deploymentMessage: null });

    const retried = await t.http.post(keys(`${name}/environments/${env.flaky.name}/deployment/`)).set(admin.auth).expect(200);
    expect(retried.body).toEqual(ok([env.flaky.name]));
    const first = await pending;
    expect(first.body.deploymentResult.environmentResults[0].success).toBe(false);
    expect((await entries(name))[env.flaky.name]).toMatchObject({ deploymentStatus: 'DEPLOYED', deploymentMessage: 'Deployed successfully' });
  });

  it('reports an unreachable webhook', async () => {
    const gone = await new WebhookReceiver().start();
    const environment = await createEnvironment(t, admin, project, { webhookUrl: gone.url });
    await gone.stop();
    const res = await t.http.post(keys()).set(admin.auth).send(keyBody(uniqueName('gone'), 'SECRET_KEY', [{ environmentName: environment.name, content: secretKey() }])).expect(200);
    expect(res.body.deploymentResult.environmentResults[0]).toEqual({
      environmentName: environment.name,
      success: false,
      message: 'Published, but the webhook notification failed: request failed (ECONNREFUSED); deploy again to retry',
    });
  });

  it('announces updates as a new version, and undeployments and deletion as key.undeployed', async () => {
    const name = uniqueName('lifecycle');
    await t.http
      .post(keys())
      .set(admin.auth)
      .send(keyBody(name, 'SECRET_KEY', [{ environmentName: env.good.name, content: content(secretKey()) }, { environmentName: env.flaky.name, content: content(secretKey()) }]))
      .expect(200);
    const events = (receiver: WebhookReceiver) => receiver.received.map((r) => JSON.parse(r.body)).map(({ event, version, keyName }) => ({ event, version, keyName }));

    good.reset();
    await t.http.put(keys(`${name}/`)).set(admin.auth).send({ cryptoKeyInfoEnvironmentList: [{ environmentName: env.good.name, content: content(secretKey(16)) }] }).expect(200);
    expect(events(good)).toEqual([{ event: 'key.deployed', version: 2, keyName: name }]);

    good.reset();
    const undeployed = await t.http.delete(keys(`${name}/environments/${env.good.name}/deployment/`)).set(admin.auth).expect(200);
    expect(undeployed.body).toEqual(ok([env.good.name], 'Undeploy'));
    expect(events(good)).toEqual([{ event: 'key.undeployed', version: 2, keyName: name }]);

    flaky.reset(500);
    const deleted = await t.http.delete(keys(`${name}/`)).set(admin.auth).expect(200);
    // Deleted all the same; the failed notification is reported.
    expect(deleted.body.deploymentResult).toEqual({
      success: false,
      message: 'Undeployment completed with errors: 1 of 1 environments failed',
      environmentResults: [{ environmentName: env.flaky.name, success: false, message: 'Undeployed, but the webhook notification failed: HTTP 500' }],
    });
    expect(events(flaky)).toEqual([{ event: 'key.undeployed', version: 2, keyName: name }]);
    for (const [receiver, secret] of [[good, env.good.secret], [flaky, env.flaky.secret]] as const) {
      for (const hook of receiver.received) expect(verifySignature(secret, hook.body, hook.headers['x-keyward-signature'] as string)).toBe(true);
    }
    await t.http.get(keys(`${name}/`)).set(admin.auth).expect(404);
  });

  it('never puts key material in a webhook body (all bodies this file received)', async () => {
    // Runs last in the file: checks every content sent above against every body received above.
    const allBodies = [...good.history, ...flaky.history].map((hook) => hook.body);
    const bodies = allBodies.join('\n');
    expect(allBodies.length).toBeGreaterThan(5);
    expect(sent.length).toBeGreaterThan(5);
    expectNoPlaintext(bodies, sent);
  });
});
