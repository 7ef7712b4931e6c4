import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIfStale, startCompiledService, type CompiledService } from '../support/compiled-service.js';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/isolated-database.js';

/** KEYWARD_WORKERS > 1, as the benchmark and a production deployment run it. */

function workerPids(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number).sort();
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!inject('serverUrl'))('several worker processes', () => {
  let db: IsolatedDatabase | undefined;
  let service: CompiledService | undefined;
  const adminSecret = `workers-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    buildIfStale();
    db = await createIsolatedDatabase();
    service = await startCompiledService({
      DATABASE_URL: db.url,
      KEYWARD_MASTER_KEY: inject('masterKey'),
      KEYWARD_BOOTSTRAP_ADMIN: `workers-admin:${adminSecret}`,
      KEYWARD_WORKERS: '2',
    });
  }, 120_000);

  afterAll(async () => {
    const child = service?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const pids = workerPids(child.pid!);
      child.kill('SIGKILL');
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    }
    await db?.drop();
  });

  it('serves from both workers, replaces a killed one, and stops them all on SIGTERM', async () => {
    const { child, baseUrl } = service!;
    const workers = await waitFor('two workers', () => (workerPids(child.pid!).length === 2 ? workerPids(child.pid!) : undefined));
    // Each worker runs with the larger young generation that keeps its memory near 250 MB under load.
    for (const pid of workers) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=64');

    const login = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'workers-admin', client_secret: adminSecret }).toString(),
    });
    const auth = { Authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const key = `workers-${randomBytes(4).toString('hex')}`;
    const created = await fetch(`${baseUrl}/v1/key-store/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ key, data: { shared: true } }),
    });
    expect(created.status).toBe(200);
    // A token issued and an entry written by one worker are good on the other: they share only the database.
    const reads = await Promise.all(Array.from({ length: 20 }, () => fetch(`${baseUrl}/v1/key-store/${key}`, { headers: auth }).then(async (res) => [res.status, await res.json()])));
    for (const [status, body] of reads) {
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: true, data: { key, data: { shared: true } } });
    }

    process.kill(workers[0], 'SIGKILL');
    const replaced = await waitFor('a replacement worker', () => {
      const now = workerPids(child.pid!);
      return now.length === 2 && !now.includes(workers[0]) ? now : undefined;
    });
    expect(replaced).toContain(workers[1]);
    const afterReplacement = await fetch(`${baseUrl}/health/ready`);
    expect(afterReplacement.status).toBe(200);

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('the workers to be gone', () => (replaced.every((pid) => !isAlive(pid)) ? true : undefined));
  }, 60_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
