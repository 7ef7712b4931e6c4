import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type pg from 'pg';
import type { Test } from 'supertest';
import { createEntry, uniqueKey } from '../key-store/entries.js';
import { createProject, createUser, grant, type TestUser } from '../support/auth.js';
import { connect, terminateServiceSessions, waitForLockWait } from '../support/pg-client.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/test-app.js';

// Row locks and pg_terminate_backend need a real server: the embedded database is one session.
describe.skipIf(!inject('serverUrl'))('database connection killed mid-request', () => {
  // Killing the service's sessions would break other test files: this one has its own database.
  let t: IsolatedTestApp;
  let admin: TestUser;
  let control: pg.Client;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
    admin = await createUser(t, { isAdmin: true });
    control = await connect(t.databaseUrl);
  });
  afterAll(async () => {
    await control.end();
    await t.close();
  });

  /** Holds `lock` so the request blocks inside its transaction, then cuts the service's sessions. */
  async function killDuring(lock: { sql: string; params: unknown[] }, request: Test) {
    await control.query('BEGIN');
    await control.query(lock.sql, lock.params);
    const answered = request.then((res) => res);
    // If the request is answered without ever reaching the lock, say how, not just "no lock wait".
    const answeredEarly = answered.then((res) => {
      throw new Error(`answered ${res.status} ${res.text.slice(0, 200)} before waiting for the lock`);
    });
    try {
      await Promise.race([waitForLockWait(control), answeredEarly]);
      expect(await terminateServiceSessions(control)).toBeGreaterThan(0);
    } finally {
      await control.query('ROLLBACK');
    }
    const res = await answered;
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toMatch(/terminat|SQL|postgres|stack/i);
    return res;
  }

  it('/api/adm: 503 in the Chargeworx envelope, nothing written, the next request served', async () => {
    const victim = await createUser(t);
    const res = await killDuring(
      { sql: 'SELECT 1 FROM users WHERE id = $1 FOR UPDATE', params: [victim.id] },
      t.http.patch(`/api/adm/users/${victim.id}`).set(admin.auth).send({ disabled: true }),
    );
    expect(res.body).toEqual({ success: false, code: 500, errorMessage: 'Service temporarily unavailable' });
    expect((await control.query('SELECT disabled FROM users WHERE id = $1', [victim.id])).rows[0].disabled).toBe(false);
    expect((await control.query("SELECT 1 FROM audit_events WHERE action = 'admin.user.update' AND resource_id = $1", [victim.id])).rowCount).toBe(0);
    const next = await t.http.patch(`/api/adm/users/${victim.id}`).set(admin.auth).send({ disabled: true }).expect(200);
    expect(next.body.user.disabled).toBe(true);
  });

  it('/v1: 503 in the Applivery envelope, nothing written, the next request served', async () => {
    const user = await createUser(t);
    const { body } = await t.http.post('/v1/personal-access-tokens').set(user.auth).send({ name: 'victim' }).expect(200);
    const res = await killDuring(
      { sql: 'SELECT 1 FROM personal_access_tokens WHERE id = $1 FOR UPDATE', params: [body.data.id] },
      t.http.delete(`/v1/personal-access-tokens/${body.data.id}`).set(user.auth),
    );
    expect(res.body).toEqual({ status: false, error: { code: 1000, message: 'Service Unavailable' } });
    expect((await control.query('SELECT revoked_at FROM personal_access_tokens WHERE id = $1', [body.data.id])).rows[0].revoked_at).toBeNull();
    await t.http.delete(`/v1/personal-access-tokens/${body.data.id}`).set(user.auth).expect(200);
  });

  // The key-store write runs on the pool directly (Sql), not through TypeORM's query runner.
  it('/v1/key-store: 503 when the single-statement write is cut, nothing written, the next request served', async () => {
    const key = uniqueKey('killed');
    await createEntry(t, admin, key, { before: true });
    const res = await killDuring(
      { sql: 'SELECT 1 FROM key_store_entries WHERE key = $1 FOR UPDATE', params: [key] },
      t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { after: true } }),
    );
    expect(res.body).toEqual({ status: false, error: { code: 1000, message: 'Service Unavailable' } });
    expect((await control.query('SELECT version FROM key_store_entries WHERE key = $1', [key])).rows[0].version).toBe(1);
    expect((await control.query("SELECT 1 FROM audit_events WHERE action = 'keystore.entry.update' AND resource_id = $1", [key])).rowCount).toBe(0);
    // Recovery without a restart. One more 503 is allowed: under load (it happened once in CI)
    // a request can draw a pooled connection whose termination the pool has not yet noticed.
    let next = await t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { after: true } });
    if (next.status === 503) next = await t.http.put(`/v1/key-store/${key}`).set(admin.auth).send({ data: { after: true } });
    expect(next.status).toBe(200);
    expect(next.body.data).toMatchObject({ data: { before: true, after: true }, version: 2 });
  });

  it('/apiops: 503 in the Apinizer envelope, nothing written, the next request served', async () => {
    const project = await createProject(t, admin);
    const member = await createUser(t);
    await grant(t, admin, project, member, ['SECRETS:VIEW']);
    const res = await killDuring(
      { sql: 'SELECT 1 FROM project_members WHERE user_id = $1 FOR UPDATE', params: [member.id] },
      t.http.put(`/apiops/projects/${project}/members/${member.id}`).set(admin.auth).send({ permissions: ['SECRETS:MANAGE'] }),
    );
    expect(res.body).toEqual({ error: 'internal_error', error_description: 'Service temporarily unavailable' });
    expect((await control.query('SELECT permissions FROM project_members WHERE user_id = $1', [member.id])).rows[0].permissions).toEqual(['SECRETS:VIEW']);
    await t.http.put(`/apiops/projects/${project}/members/${member.id}`).set(admin.auth).send({ permissions: ['SECRETS:MANAGE'] }).expect(200);
  });

  it('/apiops keys: 503 when a key update is cut inside its transaction, nothing written, the next request served', async () => {
    const project = await createProject(t, admin);
    const key = `/apiops/projects/${project}/keys/cut-key/`;
    await t.http.post(`/apiops/projects/${project}/keys/`).set(admin.auth).send({ name: 'cut-key', keyType: 'SECRET_KEY', cryptoKeyInfoEnvironmentList: [] }).expect(200);
    const stored = () =>
      control.query('SELECT k.description, k.current_version FROM project_keys k JOIN projects p ON p.id = k.project_id WHERE p.name = $1', [project]);
    const res = await killDuring(
      { sql: 'SELECT 1 FROM project_keys k JOIN projects p ON p.id = k.project_id WHERE p.name = $1 FOR UPDATE OF k', params: [project] },
      t.http.put(key).set(admin.auth).send({ description: 'changed' }),
    );
    expect(res.body).toEqual({ error: 'internal_error', error_description: 'Service temporarily unavailable' });
    expect((await stored()).rows).toEqual([{ description: null, current_version: 1 }]);
    await t.http.put(key).set(admin.auth).send({ description: 'changed' }).expect(200);
    expect((await stored()).rows).toEqual([{ description: 'changed', current_version: 2 }]);
  });
});
