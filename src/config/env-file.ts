import { existsSync } from 'node:fs';

/**
 * Settings come from the environment or a `.env` file in the working directory, the
 * environment winning (README). Each entry point (the service, the CLI, the TypeORM CLI's data
 * source) loads it into process.env before it reads a setting: the process itself chooses the
 * database, port and workers before any app exists.
 */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
