import { existsSync } from 'node:fs';

/**
 * Settings come from the environment or a `.env` file in the working directory, the
 * environment winning (README). Loaded into process.env before anything reads a setting: the
 * process itself (database, port, workers, the CLI's commands) reads them before the app's
 * config module does, and ignored the file.
 */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
