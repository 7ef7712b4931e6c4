import { inject } from 'vitest';
import { runAdminCli } from '../../src/cli/admin-cli.js';
import type { Env } from '../../src/config/app-config.js';

/** Runs one admin CLI command in-process against the run's database (or `env.DATABASE_URL`). */
export async function cli(args: string[], options: { env?: Env; stdin?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(args, {
    env: { DATABASE_URL: inject('databaseUrl'), KEYWARD_MASTER_KEY: inject('masterKey'), LOG_LEVEL: 'silent', ...options.env },
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    readStdin: async () => options.stdin ?? '',
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
