import { DataSource, MigrationExecutor } from 'typeorm';

// Any fixed number; every Keyward instance uses it so only one migrates at a time.
const MIGRATION_LOCK_ID = 7_201_944_221;

/**
 * Runs pending migrations under a session advisory lock: several instances starting
 * together against one database would otherwise race to create the same tables. The lock
 * and the migrations share one connection (the embedded database has only one).
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}
