import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, parseAppConfig } from './config/app-config.js';
import { createApp } from './bootstrap.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = parseAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let embedded: EmbeddedPostgres | undefined;
  const env: Record<string, string> = {};
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.databasePoolSize + 4);
    env.DATABASE_URL = embedded.url;
  }

  const app = await createApp(env);
  const logger = new Logger('Keyward');
  if (embedded) logger.log(`No DATABASE_URL: using the embedded PostgreSQL (PGlite) with its data in ${embedded.dataPath}`);
  if (config.masterKeyGenerated) {
    logger.warn(`No KEYWARD_MASTER_KEY: using the development key kept in ${config.dataDir}/master.key; set KEYWARD_MASTER_KEY in production`);
  }
  await app.listen(config.port, config.host);
  logger.log(`Listening on http://${config.host}:${config.port} (API docs at /docs)`);

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

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Keyward failed to start: ${message}\n`);
  process.exit(1);
});
