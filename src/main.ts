import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { ConfigError, parseAppConfig, type AppConfig } from './config/app-config.js';
import { loadEnvFile } from './config/env-file.js';
import { createApp } from './bootstrap.js';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';
import { createJsonLogger } from './observability/logger.js';

const SHUTDOWN_GRACE_MS = 10_000;

function loadConfig(): AppConfig {
  try {
    loadEnvFile();
    return parseAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** One HTTP server process: the app, and the embedded database when there is no DATABASE_URL. */
async function serve(config: AppConfig): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  const env: Record<string, string> = {};
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    env.DATABASE_URL = embedded.url;
    env.KEYWARD_DB_POOL_SIZE = String(EMBEDDED_POOL_SIZE);
    // Its invalidation channel would be a second connection: no identity cache when embedded.
    env.KEYWARD_AUTH_CACHE_SECONDS = '0';
  }

  const app = await createApp(env);
  const logger = new Logger('Keyward');
  if (embedded) logger.log(`No DATABASE_URL: using the embedded PostgreSQL (PGlite) with its data in ${embedded.dataPath}`);
  if (config.masterKeyGenerated) {
    logger.warn(`No KEYWARD_MASTER_KEY: using the development key kept in ${config.dataDir}/master.key; set KEYWARD_MASTER_KEY in production`);
  }
  await app.listen(config.port, config.host);
  logger.log(`Listening on http://${config.host}:${config.port} (API docs at /docs)${cluster.isWorker ? ` as worker ${cluster.worker!.id}` : ''}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: closing connections and the database pool`);
    const forced = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await app.close();
    await embedded?.stop();
    clearTimeout(forced);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * V8's default young generation (16 MB semi-spaces) promotes a request's short-lived objects
 * into the old generation, which then grows towards a heap limit sized from the machine's RAM:
 * 300+ MB per worker under load. 64 MB semi-spaces kept workers near 250 MB at no throughput
 * cost (BENCHMARKS.md). An operator's own setting, on the command line or in NODE_OPTIONS, wins.
 */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64';

function workerExecArgv(): string[] {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => /^--max[-_]semi[-_]space[-_]size\b/.test(flag)) ? process.execArgv : [...process.execArgv, YOUNG_GENERATION_FLAG];
}

/** KEYWARD_WORKERS > 1: the primary only forks workers (they share the port) and relays signals. */
function superviseWorkers(config: AppConfig): void {
  const logger = createJsonLogger(config.logLevel).child({ context: 'Keyward' });
  let stopping = false;
  cluster.setupPrimary({ execArgv: workerExecArgv() });
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error(`Worker ${worker.id} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  logger.info(`Started ${config.workers} worker processes on port ${config.port}`);
}

const config = loadConfig();
if (config.workers > 1 && cluster.isPrimary) {
  superviseWorkers(config);
} else {
  serve(config).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Keyward failed to start: ${message}\n`);
    process.exit(1);
  });
}
