// Starts the compiled service as a child process and tracks the resident memory of its workers.
import { spawn, execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

// BENCH_SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles every worker (written when it exits).
const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

export async function startService({ env, port, logFile }) {
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return { child, base, stop: () => stopService(child) };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGKILL');
  throw new Error('service did not become ready');
}

async function stopService(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** The service's processes: the primary and, in cluster mode, its workers. */
function processTree(pid) {
  let children = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    // no children
  }
  return children.length ? children : [pid];
}

/** The service's processes for CPU accounting: the primary and its workers. */
export function serviceProcesses(rootPid) {
  const workers = processTree(rootPid);
  return workers.includes(rootPid) ? workers : [rootPid, ...workers];
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) that the processes `pids` have used so far, in µs; exited ones count 0. */
export function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // After the command name (which may hold spaces): utime and stime are the 12th and 13th fields.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples every worker's RSS until stopped; returns the highest seen per worker. */
export function sampleRss(rootPid, intervalMs = 250) {
  let max = 0;
  const timer = setInterval(() => {
    for (const pid of processTree(rootPid)) max = Math.max(max, rssBytes(pid));
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return max;
  };
}
