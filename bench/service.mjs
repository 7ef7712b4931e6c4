// Starts the compiled service as a child process and tracks the resident memory of its workers.
import { spawn, execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

export async function startService({ env, port, logFile }) {
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['dist/src/main.js'], {
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
