import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppError } from '../http/problem.js';

/**
 * Throttles the token endpoint per (client id, address) and per address. Each attempt is
 * counted atomically in the database *before* the secret is checked, so parallel guesses on
 * several instances cannot slip past the limit; a successful login gives its attempt back.
 * Keying on the pair means an attacker elsewhere cannot lock a legitimate client out.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private buckets(clientId: string, address: string) {
    const { maxFailuresPerClient, maxFailuresPerAddress } = this.config.loginThrottle;
    return [
      { bucket: `client:${clientId.toLowerCase().slice(0, 128)}|${address}`, limit: maxFailuresPerClient },
      { bucket: `address:${address}`, limit: maxFailuresPerAddress },
    ];
  }

  async beginAttempt(clientId: string, address: string): Promise<void> {
    const window = this.config.loginThrottle.windowSeconds;
    const buckets = this.buckets(clientId, address);
    const rows: { bucket: string; failures: number; retry_after: number }[] = await this.dataSource.query(
      `INSERT INTO login_throttle AS t (bucket, failures, window_started_at)
       SELECT unnest($1::text[]), 1, now()
       ON CONFLICT (bucket) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END
       RETURNING bucket, failures, ceil(extract(epoch FROM t.window_started_at + make_interval(secs => $2) - now()))::int AS retry_after`,
      [buckets.map((b) => b.bucket), window],
    );
    const over = rows.find((row) => row.failures > buckets.find((b) => b.bucket === row.bucket)!.limit);
    if (over) {
      throw new AppError('too_many_requests', 'Too many failed login attempts; try again later', {
        retryAfterSeconds: Math.max(1, over.retry_after),
        code: 'too_many_requests',
      });
    }
  }

  /** The attempt succeeded: forget the pair's failures and give the address its attempt back. */
  async succeeded(clientId: string, address: string): Promise<void> {
    const [pair, byAddress] = this.buckets(clientId, address);
    await this.dataSource.query(
      `WITH cleared AS (DELETE FROM login_throttle WHERE bucket = $1)
       UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE bucket = $2`,
      [pair.bucket, byAddress.bucket],
    );
  }
}
