// Data source for the TypeORM CLI (`npm run migration:run`, run against the compiled dist/ormconfig.js).
// With no DATABASE_URL it opens the same embedded database the service uses under ./.data.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseAppConfig } from './src/config/app-config.js';
import { loadEnvFile } from './src/config/env-file.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from './src/database/embedded-postgres.js';

loadEnvFile();
const config = parseAppConfig(process.env);
const url = config.databaseUrl ?? (await startEmbeddedPostgres(config.dataDir)).url;

export default new DataSource(dataSourceOptions(url, config.databaseUrl ? 2 : EMBEDDED_POOL_SIZE));
