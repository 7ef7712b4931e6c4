import { randomBytes } from 'node:crypto';
import type { ProjectPermission } from '../../src/auth/project-permission.js';
import { CLI_PRINCIPAL } from '../../src/auth/principal.js';
import { UsersService } from '../../src/auth/users.service.js';
import type { TestApp } from './test-app.js';

export interface TestUser {
  id: string;
  username: string;
  secret: string;
  token: string;
  /** `{ Authorization: 'Bearer <token>' }` */
  auth: { Authorization: string };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A user created through the service (fixture), logged in through the real token endpoint. */
export async function createUser(t: TestApp, options: { isAdmin?: boolean; username?: string } = {}): Promise<TestUser> {
  const username = options.username ?? uniqueName(options.isAdmin ? 'admin' : 'user');
  const secret = `secret-${randomBytes(12).toString('hex')}`;
  const { user } = await t.app.get(UsersService).createUser(CLI_PRINCIPAL, { username, secret, isAdmin: options.isAdmin ?? false });
  const token = await login(t, username, secret);
  return { id: user.id, username, secret, token, auth: { Authorization: `Bearer ${token}` } };
}

export async function login(t: TestApp, username: string, secret: string): Promise<string> {
  const res = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: username, client_secret: secret });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}

/** Creates a project as `admin` and grants `member` the given permissions through the REST API. */
export async function createProject(t: TestApp, admin: TestUser, name = uniqueName('Project')): Promise<string> {
  const res = await t.http.post('/apiops/projects/').set(admin.auth).send({ name });
  if (res.status !== 200) throw new Error(`project creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return name;
}

export async function grant(t: TestApp, admin: TestUser, project: string, member: TestUser, permissions: ProjectPermission[]) {
  const res = await t.http.put(`/apiops/projects/${project}/members/${member.id}`).set(admin.auth).send({ permissions });
  if (res.status !== 200) throw new Error(`grant failed: ${res.status} ${JSON.stringify(res.body)}`);
}
