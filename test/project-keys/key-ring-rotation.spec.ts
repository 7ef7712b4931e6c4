import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, uniqueName, type TestUser } from '../support/auth.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/test-app.js';
import { createEnvironment, keyBody, secretKey, verifySignature, WebhookReceiver } from './support.js';

describe('project keys under key-ring rotation', () => {
  // A database of its own: activating a new key-ring entry and rewrapping is global state.
  let t: IsolatedTestApp;
  let admin: TestUser;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    admin = await createUser(t, { isAdmin: true });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
  });

  it('rewraps key contents and webhook secrets under the new entry; both still open', async () => {
    const project = await createProject(t, admin);
    const environment = await createEnvironment(t, admin, project, { webhookUrl: receiver.url });
    const plain = await createEnvironment(t, admin, project);
    const name = uniqueName('rotated');
    const content = secretKey();
    await t.http
      .post(`/apiops/projects/${project}/keys/`)
      .set(admin.auth)
      .send(keyBody(name, 'SECRET_KEY', [{ environmentName: environment.name, content }, { environmentName: plain.name, content }]))
      .expect(200);
    const [old] = await t.db.query('SELECT DISTINCT key_ring_entry_id AS id FROM project_key_contents');

    // Activated after the entry in use (the latest activation wins) and before now.
    const [{ activation_date: current }] = await t.db.query('SELECT activation_date FROM key_ring_entries WHERE id = $1', [old.id]);
    const now = Date.now();
    const activationDate = new Date((current.getTime() + now) / 2).toISOString();
    const created = await t.http
      .post('/api/adm/KeyStores')
      .set(admin.auth)
      .send({ key: randomBytes(32).toString('base64'), activationDate, expirationDate: new Date(now + 86_400_000).toISOString() })
      .expect(200);
    const rewrap = await t.http.post('/api/adm/KeyStores/rewrap').set(admin.auth).expect(200);
    // Two contents and one webhook secret; environments without a webhook hold nothing to rewrap.
    expect(rewrap.body).toMatchObject({ activeEntryId: created.body.id, rewrapped: 3, remaining: 0 });

    const entries = (await t.http.get('/api/adm/KeyStores').set(admin.auth).expect(200)).body.entries;
    expect(entries.find((e: { id: string }) => e.id === created.body.id).protectedRecords).toBe(3);
    expect(entries.find((e: { id: string }) => e.id === old.id).protectedRecords).toBe(0);
    for (const table of ['project_key_contents', 'environments']) {
      const rows: { id: string }[] = await t.db.query(`SELECT DISTINCT key_ring_entry_id AS id FROM ${table} WHERE key_ring_entry_id IS NOT NULL`);
      expect(rows).toEqual([{ id: created.body.id }]);
    }

    const deployed = await t.http.get(`/apiops/projects/${project}/environments/${environment.name}/deployed-keys/`).set(admin.auth).expect(200);
    expect(deployed.body.resultList).toEqual([expect.objectContaining({ name, content })]);
    receiver.reset();
    await t.http.post(`/apiops/projects/${project}/keys/${name}/environments/${environment.name}/deployment/`).set(admin.auth).expect(200);
    expect(verifySignature(environment.webhookSecret!, receiver.received[0].body, receiver.received[0].headers['x-keyward-signature'] as string)).toBe(true);
  });

  it('refuses to retire an entry that still seals key contents', async () => {
    const project = await createProject(t, admin);
    const environment = await createEnvironment(t, admin, project);
    await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send(keyBody(uniqueName('pinned'), 'SECRET_KEY', [{ environmentName: environment.name, content: secretKey() }])).expect(200);
    const [{ id }] = await t.db.query(
      'SELECT c.key_ring_entry_id AS id FROM project_key_contents c JOIN project_keys k ON k.id = c.key_id JOIN projects p ON p.id = k.project_id WHERE p.name = $1',
      [project],
    );
    // Directly in SQL, as a racing deletion would: the foreign key keeps the entry usable.
    await expect(t.db.query('UPDATE key_ring_entries SET usable = false, deleted_at = now() WHERE id = $1', [id])).rejects.toThrow(/project_key_contents_key_ring_entry_fk/);
  });
});
