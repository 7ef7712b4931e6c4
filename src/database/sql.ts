import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from './database-errors.js';

/** Runs one statement and answers its rows: the pool (Sql) or one transaction's connection. */
export interface Queryable {
  query<T>(text: string, values: unknown[]): Promise<T[]>;
}

/**
 * Statements for the hot paths: straight on the pool TypeORM owns, without the QueryRunner and
 * events TypeORM's query() sets up per call, and as named prepared statements, so each
 * connection parses and plans each text once. query() runs one statement on its own; never call
 * it inside a transaction, which holds a connection of its own (the embedded database has only
 * one): use the transaction's Queryable there.
 */
export class Sql implements Queryable {
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
  query<T>(text: string, values: unknown[]): Promise<T[]> {
    return this.onConnection((client) => this.run<T>(client, text, values));
  }

  /**
   * Runs `work` in a transaction on one connection, its statements prepared as query()'s are:
   * committed when `work` resolves, rolled back when it throws (the error is rethrown).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.onConnection(async (client) => {
      await this.run(client, 'BEGIN', []);
      try {
        const result = await work({ query: (text, values) => this.run(client, text, values) });
        await this.run(client, 'COMMIT', []);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async onConnection<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection lost mid-statement is also emitted as 'error'; unheard, it would end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let failure: unknown;
    try {
      return await use(client);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      client.off('error', ignore);
      // A cut session is discarded before the next request can draw it from the pool; a mere
      // statement error (a constraint violation) keeps its connection, which pg-pool would drop.
      client.release(isDatabaseUnavailable(failure) ? (failure as Error) : undefined);
    }
  }

  private async run<T>(client: pg.PoolClient, text: string, values: unknown[]): Promise<T[]> {
    try {
      const result = await client.query({ name: this.prepare ? this.nameOf(text) : undefined, text, values });
      return result.rows as T[];
    } catch (error) {
      // TypeORM's shape, which isUniqueViolation, sqlState and isDatabaseUnavailable read.
      throw new QueryFailedError(text, values, error as Error);
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
