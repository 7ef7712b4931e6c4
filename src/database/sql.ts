import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from './database-errors.js';

/**
 * One statement on its own, for the hot paths: straight on the pool TypeORM owns, without the
 * QueryRunner and events TypeORM's query() sets up per call, and as a named prepared statement,
 * so each connection parses and plans it once. Never inside a transaction: that runs on its
 * EntityManager's connection (and the embedded database has only one).
 */
export class Sql {
  private readonly names = new Map<string, string>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly prepare: boolean,
  ) {}

  static async create(dataSource: DataSource): Promise<Sql> {
    const [{ version }]: { version: string }[] = await dataSource.query('SELECT version()');
    // PGlite serves every connection from its one session: a name prepared there outlives the
    // connection, and the next connection preparing it again fails (42P05).
    return new Sql((dataSource.driver as PostgresDriver).master as pg.Pool, !version.includes('PGlite'));
  }

  /** Runs `text` with `values` and answers its rows (for UPDATE/DELETE too, unlike TypeORM's query()). */
  async query<T>(text: string, values: unknown[]): Promise<T[]> {
    const client = await this.pool.connect();
    // A connection lost mid-statement is also emitted as 'error'; unheard, it would end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let failure: Error | undefined;
    try {
      const result = await client.query({ name: this.prepare ? this.nameOf(text) : undefined, text, values });
      return result.rows as T[];
    } catch (error) {
      failure = error as Error;
      // TypeORM's shape, which isUniqueViolation, sqlState and isDatabaseUnavailable read.
      throw new QueryFailedError(text, values, failure);
    } finally {
      client.off('error', ignore);
      // A cut session is discarded before the next request can draw it from the pool; a mere
      // statement error (a constraint violation) keeps its connection, which pg-pool would drop.
      client.release(failure && isDatabaseUnavailable(failure) ? failure : undefined);
    }
  }

  // The same text always gets the same name, so a connection prepares it once for all its calls.
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `kw_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
