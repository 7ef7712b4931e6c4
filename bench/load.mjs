// Drives one scenario at a fixed concurrency for a fixed time, with wrk when it is installed
// (a C load generator: it leaves the two cores to the service and the database) and with
// autocannon otherwise. A scenario is a template both drivers fill in the same way:
//   {{entry}}  a random seeded entry index, 0 .. entries-1
//   {{seq}}    a string unique to this request in this benchmark (warm-up runs included)
//   bodies     a list of request bodies used in turn (instead of `body`)
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export function loadDriverName() {
  const wanted = process.env.BENCH_DRIVER;
  if (wanted === 'autocannon' || wanted === 'wrk') return wanted;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary is ENOENT.
    if (error.code === 'ENOENT') return 'autocannon';
  }
  return 'wrk';
}

/** Resolves to { requestsPerSecond, latencyP50Ms, latencyP99Ms, errors }. */
export function drive(driver, options) {
  // Each drive numbers its requests from 1: a prefix of its own keeps {{seq}} unique across drives.
  const run = randomBytes(4).toString('hex');
  return driver === 'wrk' ? driveWrk(options, run) : driveAutocannon(options, run);
}

function fill(template, seq, entries) {
  return template.replaceAll('{{seq}}', seq).replaceAll('{{entry}}', () => String(Math.floor(Math.random() * entries)));
}

function driveAutocannon({ base, connections, seconds, entries, scenario }, run) {
  let counter = 0;
  const next = () => {
    const seq = `${run}-${(counter++).toString(36)}`;
    const body = scenario.bodies ? scenario.bodies[counter % scenario.bodies.length] : scenario.body;
    return { method: scenario.method, path: fill(scenario.path, seq, entries), body: body === undefined ? undefined : fill(body, seq, entries) };
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: base, connections, duration: seconds, headers: scenario.headers, requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }] },
      (error, r) =>
        error
          ? reject(error)
          : resolve({
              requestsPerSecond: r.requests.average,
              latencyP50Ms: r.latency.p50,
              latencyP99Ms: r.latency.p99,
              errors: r.errors + r.non2xx + r.timeouts,
            }),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** Lua long strings hold any text verbatim as long as the closing bracket does not occur in it. */
const luaString = (text) => `[==[${text}]==]`;

function wrkScript({ entries, scenario }, run) {
  const bodies = scenario.bodies ?? (scenario.body === undefined ? [] : [scenario.body]);
  return `
local counter = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init()
  math.randomseed(os.time() * 16 + tid)
end
local bodies = { ${bodies.map(luaString).join(', ')} }
local function fill(text, seq)
  text = text:gsub("{{seq}}", function() return seq end)
  return (text:gsub("{{entry}}", function() return tostring(math.random(0, ${entries - 1})) end))
end
function request()
  counter = counter + 1
  local seq = "${run}-" .. tid .. "-" .. counter
  local body = nil
  if #bodies > 0 then body = fill(bodies[(counter % #bodies) + 1], seq) end
  return wrk.format(${luaString(scenario.method)}, fill(${luaString(scenario.path)}, seq), nil, body)
end
function done(summary, latency)
  io.write(string.format('WRKRESULT {"requests":%d,"durationUs":%d,"socketErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
`;
}

function driveWrk({ base, connections, seconds, entries, scenario }, run) {
  const dir = mkdtempSync(join(tmpdir(), 'kw-wrk-'));
  const script = join(dir, 'scenario.lua');
  writeFileSync(script, wrkScript({ entries, scenario }, run));
  const headerArgs = Object.entries(scenario.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  // Two threads (one per core); a generous timeout so slow answers count as latency, not errors.
  const args = ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', script, ...headerArgs, base];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = /WRKRESULT (.*)/.exec(out)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      const r = JSON.parse(line);
      resolve({
        requestsPerSecond: Math.round((r.requests / (r.durationUs / 1e6)) * 10) / 10,
        latencyP50Ms: r.p50Us / 1000,
        latencyP99Ms: r.p99Us / 1000,
        errors: r.socketErrors + r.statusErrors + r.timeouts,
      });
    });
  });
}
