import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectPermission } from '../../src/auth/project-permission.js';
import { createProject, createUser, grant, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('project permissions', () => {
  let t: TestApp;
  let admin: TestUser;
  let project: string;
  const members: Record<string, TestUser> = {};
  const grants: Record<string, ProjectPermission[]> = {
    view: ['SECRETS:VIEW'],
    manage: ['SECRETS:VIEW', 'SECRETS:MANAGE'],
    deployOnly: ['SECRETS:DEPLOY_UNDEPLOY'],
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
    project = await createProject(t, admin);
    for (const [role, permissions] of Object.entries(grants)) {
      members[role] = await createUser(t);
      await grant(t, admin, project, members[role], permissions);
    }
    members.none = await createUser(t);
  });
  afterAll(() => t.close());

  const notFound = { error: 'not_found', error_description: expect.stringContaining('is not found or user does not have privilege to access it!') };

  it.each([
    ['admin', 200, 200],
    ['view', 200, 403],
    ['manage', 200, 200],
    ['deployOnly', 403, 403],
    ['none', 404, 404],
  ])('%s: list environments %i, create one %i', async (role, listStatus, createStatus) => {
    const who = role === 'admin' ? admin : members[role];
    const list = await t.http.get(`/apiops/projects/${project}/environments/`).set(who.auth).expect(listStatus);
    const create = await t.http.post(`/apiops/projects/${project}/environments`).set(who.auth).send({ name: uniqueName('env'), type: 'TEST' }).expect(createStatus);
    for (const res of [list, create]) {
      if (res.status === 404) expect(res.body).toEqual(notFound);
      if (res.status === 403) expect(res.body).toEqual({ error: 'forbidden', error_description: expect.stringContaining('Missing permission') });
    }
  });

  it('answers an outsider exactly as for a project that does not exist', async () => {
    const hidden = await t.http.get(`/apiops/projects/${project}/environments`).set(members.none.auth).expect(404);
    const absent = await t.http.get('/apiops/projects/NoSuchProject/environments').set(members.none.auth).expect(404);
    expect(hidden.body.error_description.replace(project, 'X')).toBe(absent.body.error_description.replace('NoSuchProject', 'X'));
  });

  it('lists only the projects a caller holds a grant in, with its permissions', async () => {
    const viewer = await t.http.get('/apiops/projects/').set(members.view.auth).expect(200);
    expect(viewer.body).toEqual({ success: true, resultList: [expect.objectContaining({ name: project, permissions: ['SECRETS:VIEW'] })], resultCount: 1 });
    const outsider = await t.http.get('/apiops/projects').set(members.none.auth).expect(200);
    expect(outsider.body).toEqual({ success: true, resultList: [], resultCount: 0 });
  });

  it('gives the creator every permission, and lets only admins create projects and manage members', async () => {
    const created = await t.http.post('/apiops/projects/').set(admin.auth).send({ name: uniqueName('Owned') }).expect(200);
    expect(created.body.project.permissions).toEqual(['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY']);
    const [member] = await t.db.query('SELECT permissions FROM project_members WHERE project_id = $1 AND user_id = $2', [created.body.project.id, admin.id]);
    expect(member.permissions).toEqual(['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY']);
    await t.http.post('/apiops/projects/').set(members.manage.auth).send({ name: uniqueName('Nope') }).expect(403);
    await t.http.put(`/apiops/projects/${project}/members/${members.none.id}`).set(members.manage.auth).send({ permissions: ['SECRETS:VIEW'] }).expect(403);
    const dup = await t.http.post('/apiops/projects/').set(admin.auth).send({ name: project.toLowerCase() }).expect(400);
    expect(dup.body).toEqual({ error: 'bad_request', error_description: `Project (name: ${project.toLowerCase()}) is already exist!` });
  });

  it('applies a revoked grant on the next request', async () => {
    const temp = await createUser(t);
    await grant(t, admin, project, temp, ['SECRETS:VIEW']);
    await t.http.get(`/apiops/projects/${project}/environments`).set(temp.auth).expect(200);
    await t.http.delete(`/apiops/projects/${project}/members/${temp.id}/`).set(admin.auth).expect(200);
    await t.http.get(`/apiops/projects/${project}/environments`).set(temp.auth).expect(404);
  });

  it('answers 404 for removing a non-member and records no removal', async () => {
    const outsider = await createUser(t);
    const removals = async () => (await t.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'project.member.remove' AND details->>'userId' = $1", [outsider.id]))[0].n;
    const res = await t.http.delete(`/apiops/projects/${project}/members/${outsider.id}`).set(admin.auth).expect(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: `User (id: ${outsider.id}) is not a member of project (name: ${project})` });
    await t.http.delete(`/apiops/projects/${project}/members/ffffffffffffffffffffffff`).set(admin.auth).expect(404);
    // Setting no permissions is a PUT: it stays idempotent, and there was nothing to remove.
    await t.http.put(`/apiops/projects/${project}/members/${outsider.id}`).set(admin.auth).send({ permissions: [] }).expect(200);
    expect(await removals()).toBe(0);
    await grant(t, admin, project, outsider, ['SECRETS:VIEW']);
    await t.http.delete(`/apiops/projects/${project}/members/${outsider.id}`).set(admin.auth).expect(200);
    expect(await removals()).toBe(1);
  });

  it('validates member grants', async () => {
    const res = await t.http.put(`/apiops/projects/${project}/members/${members.none.id}`).set(admin.auth).send({ permissions: ['SECRETS:EVERYTHING'] }).expect(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', validation_errors: [{ field: 'permissions', message: expect.any(String) }] });
    await t.http.put(`/apiops/projects/${project}/members/ffffffffffffffffffffffff`).set(admin.auth).send({ permissions: ['SECRETS:VIEW'] }).expect(404);
  });
});
