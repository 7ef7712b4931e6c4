import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.js';
import type { StatementParameters } from '../database/statement.js';
import { AppError } from '../http/problem.js';

/**
 * Throttles the token endpoint per (client id, address) and per address, in the database so
 * every instance shares the counts.
 *
 * - The pair bucket counts attempts, *before* the secret is checked, so parallel guesses on
 *   several instances cannot slip past its limit; a success clears it.
 * - The address bucket counts failures only, so the many successful logins from one address
 *   (a NAT, a gateway) never queue on its row.
 * Each statement locks one row: two logins can never wait on each other in opposite orders.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Usernames are ASCII, so this folds them as the user lookup does; no other spelling finds a user. */
  private pairBucket(clientId: string, address: string): string {
    return `client:${clientId.toLowerCase().slice(0, 128)}|${address}`;
  }

  private addressBucket(address: string): string {
    return `address:${address}`;
  }

  async beginAttempt(clientId: string, address: string): Promise<void> {
    const { maxFailuresPerClient, maxFailuresPerAddress, windowSeconds } = this.config.loginThrottle;
    const [row] = await this.sql.query<{ pair_count: number; pair_retry: number; address_count: number | null; address_retry: number | null }>(
      `WITH pair AS (
         INSERT INTO login_throttle AS t (bucket, failures, window_started_at) VALUES ($1, 1, now())
         ON CONFLICT (bucket) DO UPDATE SET
           failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $3) THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $3) THEN now() ELSE t.window_started_at END
         RETURNING failures, window_started_at)
       SELECT pair.failures AS pair_count,
              ceil(extract(epoch FROM pair.window_started_at + make_interval(secs => $3) - now()))::int AS pair_retry,
              a.failures AS address_count,
              ceil(extract(epoch FROM a.window_started_at + make_interval(secs => $3) - now()))::int AS address_retry
         FROM pair LEFT JOIN login_throttle a ON a.bucket = $2 AND a.window_started_at >= now() - make_interval(secs => $3)`,
      [this.pairBucket(clientId, address), this.addressBucket(address), windowSeconds],
    );
    const retry =
      row.pair_count > maxFailuresPerClient ? row.pair_retry : (row.address_count ?? 0) >= maxFailuresPerAddress ? row.address_retry : undefined;
    if (retry !== undefined && retry !== null) {
      throw new AppError('too_many_requests', 'Too many failed login attempts; try again later', {
        retryAfterSeconds: Math.max(1, retry),
        code: 'too_many_requests',
      });
    }
  }

  /** The secret was wrong: the pair already counted the attempt; the address counts the failure. */
  async failed(address: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO login_throttle AS t (bucket, failures, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (bucket) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END`,
      [this.addressBucket(address), this.config.loginThrottle.windowSeconds],
    );
  }

  /** The attempt succeeded: forgetting the pair's count, as a part of a statement being assembled. */
  clearingPart(parameters: StatementParameters, clientId: string, address: string): string {
    return `DELETE FROM login_throttle WHERE bucket = ${parameters.add(this.pairBucket(clientId, address))}`;
  }
}
