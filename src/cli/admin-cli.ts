import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { exportAuditEvents } from '../audit/audit-export.js';
import { verifyAuditChain } from '../audit/audit-chain.js';
import { AuditService } from '../audit/audit.service.js';
import { PersonalAccessTokensService } from '../auth/personal-access-tokens.service.js';
import { CLI_PRINCIPAL } from '../auth/principal.js';
import { ProjectAccessService } from '../auth/project-access.service.js';
import { isProjectPermission, PROJECT_PERMISSIONS, type ProjectPermission } from '../auth/project-permission.js';
import { UsersService } from '../auth/users.service.js';
import { ConfigError, decodeMasterKey, parseAppConfig, type AppConfig, type Env } from '../config/app-config.js';
import { rotateMasterKey } from '../crypto/master-key-rotation.js';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres, type EmbeddedPostgres } from '../database/embedded-postgres.js';
import { instantMessage, parseInstant } from '../http/instant.js';
import { AppError } from '../http/problem.js';
import { ProjectsService } from '../project-keys/projects.service.js';

export interface CliIo {
  env: Env;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Reads a secret from standard input (for --secret-stdin). */
  readStdin?: () => Promise<string>;
}

export const USAGE = `Usage: npm run admin -- <command>

  user create <username> [--admin] [--secret-stdin]   create a user; prints the generated secret once
  user list                                          list users
  user disable <user> | user enable <user>           refuse or allow the user's tokens
  user rotate-secret <user> [--secret-stdin]         replace the secret; revokes issued access tokens
  token issue <user> --name <name> [--expires-at <ISO date>]
                                                     issue a personal access token; prints it once
  token revoke <token-id>                            revoke a personal access token
  grant <user> <project> <permission>...             add project permissions (${PROJECT_PERMISSIONS.join(', ')})
  revoke <user> <project> [<permission>...]          remove them (all when none is named)
  audit verify                                       seal committed events, then check the whole hash chain
  audit export [--from <ISO date>] [--to <ISO date>] write events as JSON lines
  master-key rotate --new-key-stdin                  re-wrap the key ring under a new master key
                                                     (base64 of 32 bytes on stdin); restart every
                                                     instance with it as KEYWARD_MASTER_KEY

<user> is a user id or a username. An <ISO date> is 2027-01-01T00:00:00Z or 2027-01-01, in UTC
unless it gives an offset. The database is DATABASE_URL, or the embedded one in
KEYWARD_DATA_DIR (stop the service first: the embedded database has one user at a time).`;

class UsageError extends Error {}

function takeFlag(args: string[], flag: string): boolean {
  const index = args.indexOf(flag);
  if (index < 0) return false;
  args.splice(index, 1);
  return true;
}

function takeOption(args: string[], option: string): string | undefined {
  const index = args.indexOf(option);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${option} needs a value`);
  args.splice(index, 2);
  return value;
}

/** An option naming an instant, read as the API reads dates: UTC when it gives no offset. */
function takeInstant(args: string[], option: string): Date | undefined {
  const value = takeOption(args, option);
  if (value === undefined) return undefined;
  const instant = parseInstant(value);
  // A bad value gets one line and exit 1, as the API's validation failures do; the usage would not help.
  if (!instant) throw new Error(instantMessage(option));
  return instant;
}

function expectArgs(args: string[], count: number, what: string): string[] {
  if (args.length !== count || args.some((arg) => arg.startsWith('--'))) throw new UsageError(`expected ${what}`);
  return args;
}

async function readSecret(io: CliIo, wanted: boolean): Promise<string | undefined> {
  if (!wanted) return undefined;
  if (!io.readStdin) throw new UsageError('--secret-stdin needs standard input');
  return (await io.readStdin()).replace(/\r?\n$/, '');
}

async function run(app: INestApplicationContext, config: AppConfig, argv: string[], io: CliIo): Promise<void> {
  const users = app.get(UsersService);
  const tokens = app.get(PersonalAccessTokensService);
  const projects = app.get(ProjectsService);
  const projectAccess = app.get(ProjectAccessService);
  const [group, action, ...rest] = argv;
  const args = [...rest];

  if (group === 'user' && action === 'create') {
    const isAdmin = takeFlag(args, '--admin');
    const secret = await readSecret(io, takeFlag(args, '--secret-stdin'));
    const [username] = expectArgs(args, 1, 'user create <username>');
    const { user, generatedSecret } = await users.createUser(CLI_PRINCIPAL, { username, isAdmin, secret });
    io.stdout(`Created ${user.isAdmin ? 'administrator' : 'user'} ${user.username} (id ${user.id})`);
    if (generatedSecret) io.stdout(`Secret (shown once): ${generatedSecret}`);
    return;
  }
  if (group === 'user' && action === 'list') {
    expectArgs(args, 0, 'user list');
    for (const user of await users.listUsers()) {
      io.stdout([user.id, user.username, user.isAdmin ? 'admin' : 'user', user.disabled ? 'disabled' : 'enabled'].join('\t'));
    }
    return;
  }
  if (group === 'user' && (action === 'disable' || action === 'enable')) {
    const [who] = expectArgs(args, 1, `user ${action} <user>`);
    const user = await users.updateUser(CLI_PRINCIPAL, (await users.resolveUser(who)).id, { disabled: action === 'disable' });
    io.stdout(`${user.username} is ${user.disabled ? 'disabled' : 'enabled'}`);
    return;
  }
  if (group === 'user' && action === 'rotate-secret') {
    const secret = await readSecret(io, takeFlag(args, '--secret-stdin'));
    const [who] = expectArgs(args, 1, 'user rotate-secret <user>');
    const { user, generatedSecret } = await users.rotateSecret(CLI_PRINCIPAL, (await users.resolveUser(who)).id, secret);
    io.stdout(`Rotated the secret of ${user.username}; earlier access tokens no longer work`);
    if (generatedSecret) io.stdout(`Secret (shown once): ${generatedSecret}`);
    return;
  }
  if (group === 'token' && action === 'issue') {
    const name = takeOption(args, '--name');
    const expiresAt = takeInstant(args, '--expires-at');
    const [who] = expectArgs(args, 1, 'token issue <user> --name <name>');
    if (!name) throw new UsageError('token issue needs --name');
    const user = await users.resolveUser(who);
    const { entity, token } = await tokens.issue(CLI_PRINCIPAL, user.id, name, expiresAt);
    io.stdout(`Issued token ${entity.id} "${entity.name}" for ${user.username}${entity.expiresAt ? `, expires ${entity.expiresAt.toISOString()}` : ''}`);
    io.stdout(`Token (shown once): ${token}`);
    return;
  }
  if (group === 'token' && action === 'revoke') {
    const [id] = expectArgs(args, 1, 'token revoke <token-id>');
    const token = await tokens.revoke(CLI_PRINCIPAL, id);
    io.stdout(`Revoked token ${token.id} "${token.name}"`);
    return;
  }
  if (group === 'grant' || group === 'revoke') {
    const positional = [action, ...args];
    if (positional.length < 2 || positional.some((arg) => arg === undefined)) throw new UsageError(`expected ${group} <user> <project> <permission>...`);
    const [who, projectName, ...named] = positional as string[];
    const invalid = named.filter((permission) => !isProjectPermission(permission));
    if (invalid.length > 0) throw new UsageError(`unknown permission ${invalid.join(', ')} (use ${PROJECT_PERMISSIONS.join(', ')})`);
    if (group === 'grant' && named.length === 0) throw new UsageError('grant needs at least one permission');
    const user = await users.resolveUser(who);
    const access = await projectAccess.resolve(CLI_PRINCIPAL, projectName, []);
    const current = await projects.getMemberPermissions(access, user.id);
    const wanted = named as ProjectPermission[];
    const next =
      group === 'grant'
        ? PROJECT_PERMISSIONS.filter((p) => current.includes(p) || wanted.includes(p))
        : PROJECT_PERMISSIONS.filter((p) => current.includes(p) && wanted.length > 0 && !wanted.includes(p));
    await projects.setMemberPermissions(CLI_PRINCIPAL, access, user.id, [...next]);
    io.stdout(`${user.username} in ${access.projectName}: ${next.length ? next.join(', ') : 'no permissions'}`);
    return;
  }
  if (group === 'audit' && action === 'verify') {
    expectArgs(args, 0, 'audit verify');
    await app.get(AuditService).sealNow();
    const result = await verifyAuditChain(app.get(DataSource).manager);
    if (!result.ok) {
      const broken = result.brokenAt!;
      throw new Error(`Audit chain broken at event ${broken.id} (chain position ${broken.chainSeq}): ${broken.reason}; ${result.sealed} events before it verified`);
    }
    io.stdout(`Audit chain intact: ${result.sealed} sealed events verified${result.unsealed ? `, ${result.unsealed} not yet sealed` : ''}`);
    return;
  }
  if (group === 'audit' && action === 'export') {
    const from = takeInstant(args, '--from');
    const to = takeInstant(args, '--to');
    expectArgs(args, 0, 'audit export [--from <date>] [--to <date>]');
    await exportAuditEvents(app.get(DataSource).manager, { from, to }, io.stdout);
    return;
  }
  if (group === 'master-key' && action === 'rotate') {
    if (!takeFlag(args, '--new-key-stdin')) throw new UsageError('master-key rotate needs --new-key-stdin');
    expectArgs(args, 0, 'master-key rotate --new-key-stdin');
    const newKey = decodeMasterKey((await readSecret(io, true))!, 'the new master key');
    const count = await rotateMasterKey(app.get(DataSource), app.get(AuditService), config.masterKey, newKey);
    io.stdout(`Re-wrapped ${count} key-ring entries. Restart every instance with the new KEYWARD_MASTER_KEY now.`);
    return;
  }
  throw new UsageError(argv.length ? `unknown command: ${argv.slice(0, 2).join(' ')}` : 'no command given');
}

/** Runs one admin command against the service's database; returns the process exit code. */
export async function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help')) {
    io.stdout(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let config;
  try {
    config = parseAppConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  let embedded: EmbeddedPostgres | undefined;
  let app: INestApplicationContext | undefined;
  try {
    // In the try: "in use by the service" is an error to report like any other, not a crash.
    embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
    app = await NestFactory.createApplicationContext(await AppModule.forRoot({ ...io.env, ...(embedded ? { DATABASE_URL: embedded.url, KEYWARD_DB_POOL_SIZE: String(EMBEDDED_POOL_SIZE), KEYWARD_AUTH_CACHE_SECONDS: '0' } : {}) }), {
      logger: ['error'],
      abortOnError: false,
    });
    await run(app, config, argv, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`error: ${error instanceof AppError ? describeAppError(error) : error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await app?.close();
    await embedded?.stop();
  }
}

function describeAppError(error: AppError): string {
  const fields = error.extra.fields?.map((f) => `${f.field} ${f.message}`).join('; ');
  return fields ? `${error.message}: ${fields}` : error.message;
}
