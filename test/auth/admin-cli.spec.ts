import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../src/cli/admin-cli.js';
import { cli } from '../support/cli.js';
import { createProject, createUser, login, uniqueName, type TestUser } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('admin command-line tool', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { isAdmin: true });
  });
  afterAll(() => t.close());

  it('creates a user whose printed secret logs in, lists, disables and enables it', async () => {
    const username = uniqueName('cli-user');
    const created = await cli(['user', 'create', username]);
    expect(created.code).toBe(0);
    const secret = /Secret \(shown once\): (\S+)/.exec(created.stdout)![1];
    const token = await login(t, username, secret);
    expect((await cli(['user', 'list'])).stdout).toMatch(new RegExp(`[a-f0-9]{24}\\t${username}\\tuser\\tenabled`));

    expect((await cli(['user', 'disable', username])).code).toBe(0);
    await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`).expect(401);
    expect((await cli(['user', 'enable', username])).stdout).toBe(`${username} is enabled`);
    await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('creates an admin with a secret from standard input and rotates it', async () => {
    const username = uniqueName('cli-admin');
    const created = await cli(['user', 'create', username, '--admin', '--secret-stdin'], { stdin: 'my-own-secret-123\n' });
    expect(created.stdout).not.toContain('Secret');
    const token = await login(t, username, 'my-own-secret-123');
    await t.http.get('/api/adm/users').set('Authorization', `Bearer ${token}`).expect(200);

    const rotated = await cli(['user', 'rotate-secret', username]);
    const secret = /Secret \(shown once\): (\S+)/.exec(rotated.stdout)![1];
    await login(t, username, secret);
    await expect(login(t, username, 'my-own-secret-123')).rejects.toThrow(/401/);
  });

  it('issues and revokes personal access tokens', async () => {
    const user = await createUser(t);
    const issued = await cli(['token', 'issue', user.username, '--name', 'from-cli', '--expires-at', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(issued.code).toBe(0);
    const token = /Token \(shown once\): (kwp_\S+)/.exec(issued.stdout)![1];
    const id = /Issued token ([0-9a-f-]{36})/.exec(issued.stdout)![1];
    await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await cli(['token', 'revoke', id])).code).toBe(0);
    await t.http.get('/v1/personal-access-tokens').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('reads dates without an offset as UTC, whatever the time zone', async () => {
    const user = await createUser(t);
    const from = new Date(Date.now() - 1000).toISOString().slice(0, -1);
    const rotated = await cli(['user', 'rotate-secret', user.username]);
    expect(rotated.code).toBe(0);
    const to = new Date(Date.now() + 1000).toISOString().slice(0, -1);
    const inZone = async (zone: string, args: string[]) => {
      const saved = process.env.TZ;
      process.env.TZ = zone;
      try {
        return await cli(args);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    };
    const exported = await inZone('Asia/Tokyo', ['audit', 'export', '--from', from, '--to', to]);
    expect(exported.code).toBe(0);
    const events = exported.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(events).toContainEqual(expect.objectContaining({ action: 'admin.user.rotate_secret', resource: { type: 'user', id: user.id } }));

    const issued = await inZone('America/New_York', ['token', 'issue', user.username, '--name', 'utc', '--expires-at', '2030-01-01T00:00:00']);
    expect(issued.stdout).toContain('expires 2030-01-01T00:00:00.000Z');
  });

  it.each([
    ['--from', 'Nov 23 2026 06:20', ['audit', 'export']],
    ['--from', '2026-02-30', ['audit', 'export']],
    ['--from', '1', ['audit', 'export']],
    ['--to', '2026-W01-1', ['audit', 'export']],
    ['--expires-at', '2030-02-30T00:00:00Z', ['token', 'issue', 'anyone', '--name', 'x']],
    ['--expires-at', 'Tue Jan 01 2030', ['token', 'issue', 'anyone', '--name', 'x']],
  ])('refuses %s %s with one line naming the option', async (option, value, command) => {
    expect(await cli([...command, option, value])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${option} must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z (UTC when it has no offset, to the millisecond) or a date`,
    });
  });

  it('grants and revokes project permissions', async () => {
    const project = await createProject(t, admin);
    const member = await createUser(t);
    const envs = () => t.http.get(`/apiops/projects/${project}/environments`).set(member.auth);
    await envs().expect(404);
    const granted = await cli(['grant', member.username, project, 'SECRETS:VIEW', 'SECRETS:MANAGE']);
    expect(granted.stdout).toBe(`${member.username} in ${project}: SECRETS:VIEW, SECRETS:MANAGE`);
    await envs().expect(200);
    expect((await cli(['revoke', member.id, project, 'SECRETS:VIEW'])).stdout).toContain(': SECRETS:MANAGE');
    await envs().expect(403);
    await cli(['revoke', member.id, project]);
    await envs().expect(404);
  });

  it('prints clear errors and exits non-zero', async () => {
    const unknownCommand = await cli(['user', 'explode']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain('unknown command: user explode');
    const unknownUser = await cli(['user', 'disable', 'nobody-like-this']);
    expect(unknownUser).toMatchObject({ code: 1, stderr: 'error: User (nobody-like-this) is not found' });
    const badPermission = await cli(['grant', admin.username, 'Whatever', 'SECRETS:ALL']);
    expect(badPermission.code).toBe(2);
    const controlCharacter = await cli(['user', 'create', uniqueName('cli-user'), '--secret-stdin'], { stdin: 'my-own-secret-123\u0000\n' });
    expect(controlCharacter).toMatchObject({ code: 1, stderr: 'error: Validation Error: secret must not contain control characters' });
    const duplicate = await cli(['user', 'create', admin.username]);
    expect(duplicate).toMatchObject({ code: 1, stderr: `error: User (username: ${admin.username}) already exists` });
    const badConfig = await runAdminCli(['user', 'list'], { env: { DATABASE_URL: 'mysql://x' }, stdout: () => {}, stderr: () => {} });
    expect(badConfig).toBe(1);
  });
});
