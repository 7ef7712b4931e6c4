// The ceiling: PostgreSQL itself doing the minimal SQL of each scenario, at the same concurrency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS = {
  // Select one row by key, as GET /v1/key-store/:key does at its core.
  select: "\\set k random(1, :rows)\nSELECT key, ciphertext, version FROM bench_ceiling WHERE key = 'k' || :k;\n",
  // Insert one row with a unique key and a ~96-byte value, as POST does.
  insert: "INSERT INTO bench_ceiling_inserts (key, ciphertext, version) VALUES (gen_random_uuid()::text, sha512(random()::text::bytea) || sha256(random()::text::bytea), 1);\n",
  // The insert plus its audit event as one statement, as POST writes them (a data-modifying WITH).
  insertAudited:
    "WITH w AS (INSERT INTO bench_ceiling_inserts (key, ciphertext, version) VALUES (gen_random_uuid()::text, sha512(random()::text::bytea) || sha256(random()::text::bytea), 1) RETURNING key) " +
    "INSERT INTO bench_audit_events (actor_id, actor_token_kind, action, resource_type, resource_id, outcome, request_id, client_address, details) " +
    "SELECT '0123456789abcdef01234567', 'jwt', 'keystore.entry.create', 'keystore.entry', w.key, 'success', gen_random_uuid()::text, '127.0.0.1', '{\"version\": 1}' FROM w;\n",
  // Update one row's value and version, as PUT does.
  update:
    "\\set k random(1, :rows)\nUPDATE bench_ceiling SET ciphertext = sha512(random()::text::bytea) || sha256(random()::text::bytea), version = version + 1, updated_at = now() WHERE key = 'k' || :k;\n",
  // The update plus its audit event as one statement, as PUT writes them.
  updateAudited:
    "\\set k random(1, :rows)\n" +
    "WITH w AS (UPDATE bench_ceiling SET ciphertext = sha512(random()::text::bytea) || sha256(random()::text::bytea), version = version + 1, updated_at = now() WHERE key = 'k' || :k RETURNING key, version) " +
    "INSERT INTO bench_audit_events (actor_id, actor_token_kind, action, resource_type, resource_id, outcome, request_id, client_address, details) " +
    "SELECT '0123456789abcdef01234567', 'jwt', 'keystore.entry.update', 'keystore.entry', w.key, 'success', gen_random_uuid()::text, '127.0.0.1', jsonb_build_object('version', w.version) FROM w;\n",
};

export function prepareCeiling(url, rows) {
  const sql = `
    DROP TABLE IF EXISTS bench_ceiling, bench_ceiling_inserts, bench_audit_events;
    -- The audit table's shape and indexes, apart from the service's own (its sealer would work on these rows).
    CREATE TABLE bench_audit_events (LIKE audit_events INCLUDING ALL);
    CREATE TABLE bench_ceiling (key text PRIMARY KEY, ciphertext bytea NOT NULL, version int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE bench_ceiling_inserts (key text PRIMARY KEY, ciphertext bytea NOT NULL, version int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO bench_ceiling (key, ciphertext, version) SELECT 'k' || i, sha512(random()::text::bytea) || sha256(random()::text::bytea), 1 FROM generate_series(1, ${rows}) i;
    ANALYZE bench_ceiling;`;
  execFileSync('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' });
}

export function runPgbench(url, kind, { connections, seconds, rows }) {
  const dir = mkdtempSync(join(tmpdir(), 'kw-pgbench-'));
  const file = join(dir, `${kind}.sql`);
  writeFileSync(file, SCRIPTS[kind]);
  const out = execFileSync(
    'pgbench',
    ['-n', '-c', String(connections), '-j', '2', '-T', String(seconds), '-D', `rows=${rows}`, '-f', file, url],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  return { tps, latencyAvgMs: latency, errors: failed };
}
