import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrationsLocked } from './migration-runner.js';
import { Sql } from './sql.js';

/**
 * One TypeORM data source per app, migrated before any other provider can use it.
 * The URL is always set here: with no DATABASE_URL the entry point starts the embedded
 * database first and passes its URL in (see main.ts).
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL must be resolved before the database module starts');
        return { ...dataSourceOptions(config.databaseUrl, config.databasePoolSize), autoLoadEntities: true };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        const applied = await runMigrationsLocked(dataSource);
        if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        return dataSource;
      },
    }),
  ],
  providers: [{ provide: Sql, inject: [DataSource], useFactory: Sql.create }],
  exports: [Sql],
})
export class DatabaseModule {}
