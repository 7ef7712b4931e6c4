// npm run bench: the service against a real PostgreSQL, and pgbench doing the minimal
// equivalent SQL on the same database at the same concurrency, in one run. See BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { drive, loadDriverName } from './load.mjs';
import { prepareCeiling, runPgbench } from './pgbench.mjs';
import { cpuMicros, sampleRss, serviceProcesses, startService } from './service.mjs';
import { seedBulkEntries } from './seed.mjs';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('npm run bench needs DATABASE_URL (a real PostgreSQL server; a fresh database is created on it)');
  process.exit(2);
}
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const seedEntries = Number(process.env.BENCH_ENTRIES ?? 1000);
const scaleRows = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;

const dbName = `keyward_bench_${Date.now()}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const masterKey = randomBytes(32).toString('base64');
const adminSecret = randomBytes(18).toString('base64url');
const port = 20000 + Math.floor(Math.random() * 20000);

mkdirSync('bench/results', { recursive: true });
const serviceLog = 'bench/results/service.log.tmp';
const serviceEnv = {
  DATABASE_URL: dbUrl,
  KEYWARD_MASTER_KEY: masterKey,
  KEYWARD_WORKERS: String(workers),
  // The service's default pool size unless BENCH_POOL_SIZE says otherwise.
  ...(process.env.BENCH_POOL_SIZE ? { KEYWARD_DB_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
  KEYWARD_BOOTSTRAP_ADMIN: `bench-admin:${adminSecret}`,
  KEYWARD_LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
  LOG_LEVEL: 'warn',
};
const service = await startService({ port, logFile: serviceLog, env: serviceEnv });
const base = service.base;

async function call(method, path, body, token, form) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
    },
    body: body ? (form ? new URLSearchParams(body).toString() : JSON.stringify(body)) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const tokenBody = { grant_type: 'client_credentials', client_id: 'bench-admin', client_secret: adminSecret };
const token = (await call('POST', '/oauth/token', tokenBody, undefined, true)).access_token;

// Seed: key-store entries, a project with two environments and a few keys deployed to both.
for (let i = 0; i < seedEntries; i++) {
  await call('POST', '/v1/key-store/', { key: `bench-${i}`, data: { theme: 'dark', flags: { beta: i % 2 === 0 }, n: i } }, token);
}
// Reads run against a project of a fixed size; the create scenario writes into another one
// (the Apinizer lists are unpaged, so a growing project would measure its own growth).
const project = `BenchRead${Date.now()}`;
const writeProject = `BenchWrite${Date.now()}`;
for (const name of [project, writeProject]) {
  await call('POST', '/apiops/projects/', { name }, token);
  for (const env of ['production', 'staging']) {
    await call('POST', `/apiops/projects/${name}/environments/`, { name: env, type: env === 'production' ? 'PRODUCTION' : 'TEST' }, token);
  }
}
const secretKey = () => randomBytes(32).toString('base64');
const keyBody = (name) => ({
  name,
  description: 'bench',
  keyType: 'SECRET_KEY',
  cryptoKeyInfoEnvironmentList: [
    { environmentName: 'production', content: secretKey(), alias: 'prod' },
    { environmentName: 'staging', content: secretKey(), alias: 'stg' },
  ],
});
for (let i = 0; i < 20; i++) await call('POST', `/apiops/projects/${project}/keys/`, keyBody(`seed-key-${i}`), token);

// The token scenario logs in as many clients, as services do; one client id firing more
// parallel logins than KEYWARD_LOGIN_MAX_FAILURES is throttled by design.
const clients = [];
for (let i = 0; i < connections; i++) {
  const created = await call('POST', '/api/adm/users', { username: `bench-client-${i}` }, token);
  clients.push({ grant_type: 'client_credentials', client_id: `bench-client-${i}`, client_secret: created.secret });
}

const authHeaders = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
const scenarios = [
  { name: 'GET /v1/key-store/:key', ceiling: 'select', method: 'GET', path: '/v1/key-store/bench-{{entry}}' },
  {
    name: 'POST /v1/key-store/ (unique keys)',
    ceiling: 'insert',
    auditedCeiling: 'insertAudited',
    method: 'POST',
    path: '/v1/key-store/',
    body: '{"key":"post-{{seq}}","data":{"theme":"dark","n":"{{seq}}"}}',
  },
  { name: 'PUT /v1/key-store/:key (merge)', ceiling: 'update', auditedCeiling: 'updateAudited', method: 'PUT', path: '/v1/key-store/bench-{{entry}}', body: '{"data":{"last":"{{seq}}"}}' },
  { name: 'GET /v1/key-store/ (list page)', ceiling: 'select', method: 'GET', path: '/v1/key-store/?limit=20&prefix=bench-1' },
  {
    name: 'POST .../keys/ (two environments)',
    ceiling: 'insert',
    method: 'POST',
    path: `/apiops/projects/${writeProject}/keys/`,
    body: JSON.stringify(keyBody('k-{{seq}}')),
  },
  { name: 'GET .../keys/', ceiling: 'select', method: 'GET', path: `/apiops/projects/${project}/keys/` },
  { name: 'GET .../deployed-keys/', ceiling: 'select', method: 'GET', path: `/apiops/projects/${project}/environments/production/deployed-keys/` },
  {
    name: 'POST /oauth/token',
    ceiling: undefined,
    method: 'POST',
    path: '/oauth/token',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    bodies: clients.map((client) => new URLSearchParams(client).toString()),
  },
];

const driver = loadDriverName();
const run = (scenario, duration = seconds) =>
  drive(driver, { base, connections, seconds: duration, entries: seedEntries, scenario: { headers: authHeaders, ...scenario } });

// What autovacuum does within a minute of the write scenarios: without it a read scenario that
// follows them is planned on statistics of tables a tenth of their size (seq scans, p99 x4).
async function analyze() {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  await client.query('ANALYZE');
  await client.end();
}

// The ceiling of each scenario is measured right after it, the service idle: on this shared
// machine pgbench's select ceiling read 16,094 and 31,061 tps in two runs minutes apart, so a
// ceiling measured once at the end made the ratios of early scenarios drift with the machine.
prepareCeiling(dbUrl, seedEntries);
const ceiling = (kind) => (kind ? runPgbench(dbUrl, kind, { connections, seconds, rows: seedEntries }) : undefined);
const ratio = (r, measured) => (measured ? Number((r.requestsPerSecond / measured.tps).toFixed(3)) : null);

// The benchmark database's backends (the service's pools and its listener), for CPU accounting.
async function postgresBackends() {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
  await client.end();
  return rows.map((row) => row.pid);
}

const results = [];
for (const scenario of scenarios) {
  if (only && !only.test(scenario.name)) continue;
  await analyze();
  // Unmeasured first: every worker's JIT and connection pool warm on this scenario's path.
  if (warmupSeconds > 0) await run(scenario, warmupSeconds);
  // Where a request's CPU goes, the service or PostgreSQL (from /proc; autovacuum not counted).
  const processes = { service: serviceProcesses(service.child.pid), postgres: await postgresBackends() };
  const cpuBefore = { service: cpuMicros(processes.service), postgres: cpuMicros(processes.postgres) };
  const stopSampling = sampleRss(service.child.pid);
  const r = await run(scenario);
  const rss = stopSampling();
  const cpuPerRequest = (side) => Math.round((cpuMicros(processes[side]) - cpuBefore[side]) / (r.requestsPerSecond * seconds));
  const own = ceiling(scenario.ceiling);
  // The key-store writes also against the same write with its audit event, as the service does it.
  const audited = ceiling(scenario.auditedCeiling);
  results.push({
    scenario: scenario.name,
    ...r,
    maxWorkerRssMb: Math.round(rss / 1048576),
    serviceCpuUsPerRequest: cpuPerRequest('service'),
    postgresCpuUsPerRequest: cpuPerRequest('postgres'),
    ceiling: scenario.ceiling ? { kind: scenario.ceiling, ...own } : null,
    ratioToCeiling: ratio(r, own),
    auditedCeiling: scenario.auditedCeiling ? { kind: scenario.auditedCeiling, ...audited } : null,
    ratioToAuditedCeiling: ratio(r, audited),
  });
  console.log(`${scenario.name}: ${r.requestsPerSecond} req/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, errors ${r.errors}`);
}

// Scaling of the list page: latency at the seeded size, then with scaleRows more entries.
async function listLatency() {
  const r = await run({ method: 'GET', path: '/v1/key-store/?limit=20&prefix=bench-5' });
  return { p50: r.latencyP50Ms, p99: r.latencyP99Ms, requestsPerSecond: r.requestsPerSecond };
}
const scaling = { small: { entries: seedEntries, ...(await listLatency()) } };
if (scaleRows > 0) {
  await seedBulkEntries(dbUrl, masterKey, scaleRows);
  scaling.large = { entries: seedEntries + scaleRows, ...(await listLatency()) };
}
await service.stop();

const report = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 1073741824), node: process.version, postgres: execFileSync('psql', [dbUrl, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim() },
  settings: { connections, seconds, warmupSeconds, workers, poolSizePerWorker: serviceEnv.KEYWARD_DB_POOL_SIZE ?? 'default', seedEntries, loadGenerator: driver },
  results,
  scaling,
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${report.date.slice(0, 19).replace(/[:T]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

console.log('\n| scenario | req/s | p50 ms | p99 ms | errors | RSS/worker MB | CPU µs/request service / PostgreSQL | ceiling | ratio | ratio to the audited write |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const own = r.ceiling ? `${r.ceiling.kind} ${r.ceiling.tps.toFixed(0)} tps` : '-';
  const audited = r.auditedCeiling ? `${r.ratioToAuditedCeiling} (${r.auditedCeiling.tps.toFixed(0)} tps)` : '-';
  console.log(`| ${r.scenario} | ${r.requestsPerSecond.toFixed(0)} | ${r.latencyP50Ms} | ${r.latencyP99Ms} | ${r.errors} | ${r.maxWorkerRssMb} | ${r.serviceCpuUsPerRequest} / ${r.postgresCpuUsPerRequest} | ${own} | ${r.ratioToCeiling ?? '-'} | ${audited} |`);
}
for (const r of results.filter((row) => row.auditedCeiling)) {
  const cost = r.auditedCeiling.tps / r.ceiling.tps;
  console.log(`\nAuditing at the database (after ${r.scenario}): ${r.ceiling.kind} ${r.ceiling.tps.toFixed(0)} tps alone, ${r.auditedCeiling.tps.toFixed(0)} tps with its audit event in the same statement (${cost.toFixed(2)}x)`);
}
console.log(`\nList page p50/p99: ${scaling.small.p50}/${scaling.small.p99} ms at ${scaling.small.entries} entries` + (scaling.large ? `, ${scaling.large.p50}/${scaling.large.p99} ms at ${scaling.large.entries}` : ''));
console.log(`Written to ${file}; the service's warnings and errors are in ${serviceLog}`);

const cleanup = new pg.Client({ connectionString: serverUrl });
await cleanup.connect();
await cleanup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await cleanup.end();
