import type { Test } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectPermission } from '../../src/auth/project-permission.js';
import { createProject, createUser, grant, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createEnvironment, keyBody, secretKey } from './support.js';

type Role = 'admin' | 'view' | 'manage' | 'manageDeploy' | 'deploy' | 'none';

const GRANTS: Record<Exclude<Role, 'admin' | 'none'>, ProjectPermission[]> = {
  view: ['SECRETS:VIEW'],
  manage: ['SECRETS:VIEW', 'SECRETS:MANAGE'],
  manageDeploy: ['SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY'],
  deploy: ['SECRETS:DEPLOY_UNDEPLOY'],
};

/** What the key looks like to an admin: version and where it is deployed, or gone. */
type KeyState = { version: number; deployed: string[] } | 'absent';

describe('project key permissions', () => {
  let t: TestApp;
  let project: string;
  let environment: string;
  const users = {} as Record<Role, TestUser>;
  const base = () => `/apiops/projects/${project}`;

  /** A key made by the admin for one test call: `deployed` to the environment, or only stored there. */
  async function fixtureKey(deployed: boolean): Promise<string> {
    const name = uniqueName('perm');
    await t.http.post(`${base()}/keys/`).set(users.admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: environment, content: secretKey() }])).expect(200);
    if (!deployed) await t.http.delete(`${base()}/keys/${name}/environments/${environment}/deployment/`).set(users.admin.auth).expect(200);
    return name;
  }

  async function state(name: string): Promise<KeyState> {
    const res = await t.http.get(`${base()}/keys/${name}/`).set(users.admin.auth);
    if (res.status === 404) return 'absent';
    const entries: { environmentName: string; deploymentStatus: string }[] = res.body.key.cryptoKeyInfoEnvironmentList;
    return { version: res.body.key.version, deployed: entries.filter((e) => e.deploymentStatus !== 'NOT_DEPLOYED').map((e) => e.environmentName) };
  }

  interface Operation {
    /** Makes the key the call acts on; undefined when the call creates it. */
    setup?: () => Promise<string>;
    call: (who: TestUser, name: string) => Test;
  }

  const operations: Record<string, Operation> = {
    getProjectKeys: { setup: () => fixtureKey(true), call: (who) => t.http.get(`${base()}/keys/`).set(who.auth) },
    getProjectKey: { setup: () => fixtureKey(true), call: (who, name) => t.http.get(`${base()}/keys/${name}/`).set(who.auth) },
    getDeployedKeys: { setup: () => fixtureKey(true), call: (who) => t.http.get(`${base()}/environments/${environment}/deployed-keys/`).set(who.auth) },
    'createProjectKey without environments': {
      call: (who, name) => t.http.post(`${base()}/keys/`).set(who.auth).send(keyBody(name, 'SECRET_KEY', [])),
    },
    'createProjectKey naming an environment': {
      call: (who, name) => t.http.post(`${base()}/keys/`).set(who.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: environment, content: secretKey() }])),
    },
    'updateProjectKey of an undeployed key': {
      setup: () => fixtureKey(false),
      call: (who, name) => t.http.put(`${base()}/keys/${name}/`).set(who.auth).send({ description: 'changed' }),
    },
    'updateProjectKey of a deployed key (redeploys)': {
      setup: () => fixtureKey(true),
      call: (who, name) => t.http.put(`${base()}/keys/${name}/`).set(who.auth).send({ description: 'changed' }),
    },
    'deleteProjectKey of an undeployed key': { setup: () => fixtureKey(false), call: (who, name) => t.http.delete(`${base()}/keys/${name}/`).set(who.auth) },
    'deleteProjectKey of a deployed key (undeploys)': { setup: () => fixtureKey(true), call: (who, name) => t.http.delete(`${base()}/keys/${name}/`).set(who.auth) },
    deployProjectKey: {
      setup: () => fixtureKey(false),
      call: (who, name) => t.http.post(`${base()}/keys/${name}/environments/${environment}/deployment/`).set(who.auth),
    },
    undeployProjectKey: {
      setup: () => fixtureKey(true),
      call: (who, name) => t.http.delete(`${base()}/keys/${name}/environments/${environment}/deployment/`).set(who.auth),
    },
  };

  //                                              admin view manage manageDeploy deploy none
  const matrix: [string, number[]][] = [
    ['getProjectKeys', [200, 200, 200, 403, 403, 404]],
    ['getProjectKey', [200, 200, 200, 403, 403, 404]],
    ['getDeployedKeys', [200, 200, 200, 403, 403, 404]],
    ['createProjectKey without environments', [200, 403, 200, 200, 403, 404]],
    ['createProjectKey naming an environment', [200, 403, 403, 200, 403, 404]],
    ['updateProjectKey of an undeployed key', [200, 403, 200, 200, 403, 404]],
    ['updateProjectKey of a deployed key (redeploys)', [200, 403, 403, 200, 403, 404]],
    ['deleteProjectKey of an undeployed key', [200, 403, 200, 200, 403, 404]],
    ['deleteProjectKey of a deployed key (undeploys)', [200, 403, 403, 200, 403, 404]],
    ['deployProjectKey', [200, 403, 403, 200, 200, 404]],
    ['undeployProjectKey', [200, 403, 403, 200, 200, 404]],
  ];
  const roles: Role[] = ['admin', 'view', 'manage', 'manageDeploy', 'deploy', 'none'];
  const cases = matrix.flatMap(([operation, statuses]) => roles.map((role, i) => [operation, role, statuses[i]] as const));

  beforeAll(async () => {
    t = await startTestApp();
    users.admin = await createUser(t, { isAdmin: true });
    project = await createProject(t, users.admin);
    environment = (await createEnvironment(t, users.admin, project)).name;
    for (const [role, permissions] of Object.entries(GRANTS)) {
      users[role as Role] = await createUser(t);
      await grant(t, users.admin, project, users[role as Role], permissions);
    }
    users.none = await createUser(t);
  });
  afterAll(() => t.close());

  it.each(cases)('%s as %s → %i', async (operation, role, status) => {
    const { setup, call } = operations[operation];
    const name = setup ? await setup() : uniqueName('perm');
    const before = await state(name);
    const res = await call(users[role], name);
    expect(res.status).toBe(status);
    if (status === 404) {
      // An outsider learns nothing: the answer of a project that does not exist.
      expect(res.body).toEqual({ error: 'not_found', error_description: `Project (name: ${project}) is not found or user does not have privilege to access it!` });
    }
    if (status === 403) {
      expect(res.body).toEqual({ error: 'forbidden', error_description: expect.stringMatching(new RegExp(`^Missing permission SECRETS:[A-Z_:, ]+ in project ${project}$`)) });
    }
    if (status === 200) expect(res.body.success).toBe(true);
    // A refused call changes nothing.
    if (status !== 200) expect(await state(name)).toEqual(before);
  });

  it('names the missing permission when a manager names environments without SECRETS:DEPLOY_UNDEPLOY', async () => {
    const res = await operations['createProjectKey naming an environment'].call(users.manage, uniqueName('nodeploy')).expect(403);
    expect(res.body.error_description).toBe(`Missing permission SECRETS:DEPLOY_UNDEPLOY in project ${project}`);
  });

  it('shows plaintext content to VIEW holders only through deployed-keys', async () => {
    const name = uniqueName('viewed');
    const content = secretKey();
    await t.http.post(`${base()}/keys/`).set(users.admin.auth).send(keyBody(name, 'SECRET_KEY', [{ environmentName: environment, content }])).expect(200);
    const got = await t.http.get(`${base()}/keys/${name}`).set(users.view.auth).expect(200);
    expect(JSON.stringify(got.body)).not.toContain(content);
    const deployed = await t.http.get(`${base()}/environments/${environment}/deployed-keys`).set(users.view.auth).expect(200);
    expect(deployed.body.resultList).toContainEqual(expect.objectContaining({ name, content }));
  });
});
