import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

const CHANNEL = 'keyward_identity';
const RECONNECT_MS = 1000;

interface Entry {
  value: unknown;
  until: number;
  tags: string[];
}

/**
 * Caches what every request would otherwise re-read (the caller's user or token row, its
 * project grants) for up to KEYWARD_AUTH_CACHE_SECONDS. A change forgets the affected entries
 * at once on the instance making it, and — through a NOTIFY sent in the change's transaction,
 * delivered on commit — on every other instance within milliseconds. While this instance is
 * not listening (start-up, lost connection) nothing is cached, so a missed notification can
 * never keep a disabled user or a revoked token alive.
 */
@Injectable()
export class IdentityCache implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IdentityCache');
  private readonly entries = new Map<string, Entry>();
  /** Counts invalidations: a value loaded while one happened may predate it, and is not kept. */
  private invalidations = 0;
  private listener?: pg.Client;
  private listening = false;
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get ttlMs(): number {
    return this.config.authCacheSeconds * 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.ttlMs > 0) await this.listen();
  }

  // Before TypeORM closes the pool (it does so in onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    await this.listener?.end().catch(() => undefined);
  }

  async get<T>(key: string, tags: (value: T) => string[], load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now() && this.listening) return hit.value as T;
    const invalidations = this.invalidations;
    const value = await load();
    // A change that committed while `load` ran may have been read before it: only the next load is sure to see it.
    if (this.listening && value !== undefined && invalidations === this.invalidations) this.entries.set(key, { value, until: Date.now() + this.ttlMs, tags: tags(value) });
    return value;
  }

  /** Call inside the transaction that changes identities or grants tagged `tags`. */
  async changed(tx: EntityManager, ...tags: string[]): Promise<void> {
    this.forget(tags);
    // Always notify: other instances may cache even when this one does not.
    await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, tags.join(' ')]);
  }

  private forget(tags: string[]): void {
    this.invalidations++;
    for (const [key, entry] of this.entries) {
      if (entry.tags.some((tag) => tags.includes(tag))) this.entries.delete(key);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'keyward-listener' });
    this.listener = client;
    const lost = (reason: string) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.entries.clear();
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`Invalidation channel lost (${reason}); caching paused until it is back`);
      setTimeout(() => void this.listen().catch(() => undefined), RECONNECT_MS).unref();
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (message) => this.forget((message.payload ?? '').split(' ')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Loads begun while deaf may have missed a notification: none of them is kept.
      this.invalidations++;
      this.entries.clear();
      this.listening = true;
    } catch (error) {
      lost((error as Error).message);
    }
  }
}
