import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

/** Connection settings shared by the service, the CLI tools and ormconfig.ts. */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      // application_name lets operators (and the fault tests) find the service's sessions.
      application_name: 'keyward',
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  };
}
