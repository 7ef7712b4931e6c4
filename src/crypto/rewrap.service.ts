import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { AuditService, SYSTEM_ACTOR, type AuditRecord } from '../audit/audit.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Metrics } from '../observability/metrics.js';
import { open, seal } from './aes-gcm.js';
import { KeyRing } from './key-ring.js';
import { ProtectedTables } from './protected-tables.js';
import { rowAad } from './value-cipher.js';

const BATCH_SIZE = 200;

export interface RewrapResult {
  activeEntryId: string;
  /** Values moved to the active entry by this run. */
  rewrapped: number;
  /** Values still under another entry (locked by a writer during the run; the next run takes them). */
  remaining: number;
}

/**
 * Moves every value still sealed under a non-active entry to the active one, so superseded
 * keys stop protecting data long before they expire. Batches run in their own transactions
 * and lock with SKIP LOCKED: reads are never blocked, writers are skipped rather than waited
 * for, several instances can run it at once, and a crash loses at most one batch's progress.
 */
@Injectable()
export class RewrapService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Rewrap');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly nearExpiry: Gauge;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keyRing: KeyRing,
    private readonly tables: ProtectedTables,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    metrics: Metrics,
  ) {
    this.nearExpiry = new Gauge({
      name: 'keyward_key_ring_entries_near_expiry',
      help: 'Key-ring entries that still protect values and expire within KEYWARD_KEYRING_EXPIRY_WARNING_DAYS',
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.keyRing.rewrapIntervalSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.scheduledRun(), seconds * 1000);
      this.timer.unref();
    }
  }

  // Before TypeORM closes the pool (it does so in onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async scheduledRun(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      const result = await this.rewrap();
      if (result.rewrapped > 0) this.logger.log(`Rewrapped ${result.rewrapped} values under entry ${result.activeEntryId}`);
      await this.checkExpiry();
    })()
      .catch((error: Error) => this.logger.error(`Scheduled rewrap failed: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** `actor` is the admin who asked, or the system for the scheduled run. */
  async rewrap(actor: AuditRecord['actor'] = SYSTEM_ACTOR): Promise<RewrapResult> {
    const active = await this.keyRing.activeKey({ fresh: true });
    const keys = await this.sourceKeys(active.id);
    let rewrapped = 0;
    for (const table of this.tables.list()) {
      for (;;) {
        if (keys.size === 0) break;
        const moved = await this.rewrapBatch(actor, table, active.id, active.key, keys);
        rewrapped += moved;
        if (moved < BATCH_SIZE) break;
      }
    }
    return { activeEntryId: active.id, rewrapped, remaining: await this.countNotUnder(active.id) };
  }

  /**
   * Unwraps every usable entry other than the active one up front: inside a batch's transaction
   * KeyRing would read them on a second connection, which the embedded database (one session)
   * serves only after the transaction ends. Values under an entry added meanwhile wait for the next run.
   */
  private async sourceKeys(activeId: string): Promise<Map<string, Buffer>> {
    const entries: { id: string }[] = await this.dataSource.query('SELECT id FROM key_ring_entries WHERE usable AND id <> $1', [activeId]);
    const keys = new Map<string, Buffer>();
    for (const { id } of entries) keys.set(id, await this.keyRing.keyFor(id));
    return keys;
  }

  private rewrapBatch(actor: AuditRecord['actor'], table: string, activeId: string, activeKey: Buffer, keys: Map<string, Buffer>): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows: { id: string; key_ring_entry_id: string; ciphertext: Buffer }[] = await tx.query(
        `SELECT id, key_ring_entry_id, ciphertext FROM ${table}
          WHERE key_ring_entry_id = ANY($1::uuid[]) ORDER BY id LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED`,
        [[...keys.keys()]],
      );
      if (rows.length === 0) return 0;
      const resealed: Buffer[] = [];
      for (const row of rows) {
        const aad = rowAad(table, row.id);
        resealed.push(seal(activeKey, open(keys.get(row.key_ring_entry_id)!, row.ciphertext, aad), aad));
      }
      await tx.query(
        `UPDATE ${table} AS t SET key_ring_entry_id = $1, key_ring_entry_usable = true, ciphertext = v.ciphertext
           FROM unnest($2::uuid[], $3::bytea[]) AS v(id, ciphertext) WHERE t.id = v.id`,
        [activeId, rows.map((row) => row.id), resealed],
      );
      const fromEntries = [...new Set(rows.map((row) => row.key_ring_entry_id))].sort();
      await this.audit.record(tx, {
        action: 'keyring.rewrap',
        actor,
        resource: { type: 'keyring.entry', id: activeId },
        details: { table, values: rows.length, fromEntries },
      });
      return rows.length;
    });
  }

  /**
   * How many stored values each entry protects. A caller inside a transaction passes its manager:
   * a second connection would wait forever on the embedded database, which has one session.
   */
  async protectedRecordCounts(manager: EntityManager = this.dataSource.manager): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const table of this.tables.list()) {
      const rows: { id: string; count: string }[] = await manager.query(
        `SELECT key_ring_entry_id AS id, count(*) AS count FROM ${table} GROUP BY key_ring_entry_id`,
      );
      for (const row of rows) counts.set(row.id, (counts.get(row.id) ?? 0) + Number(row.count));
    }
    return counts;
  }

  private async countNotUnder(activeId: string): Promise<number> {
    let total = 0;
    for (const table of this.tables.list()) {
      const [row]: { count: string }[] = await this.dataSource.query(`SELECT count(*) FROM ${table} WHERE key_ring_entry_id <> $1`, [activeId]);
      total += Number(row.count);
    }
    return total;
  }

  /** Warns (log and metric) about entries that still protect data and expire soon. */
  async checkExpiry(): Promise<number> {
    const counts = await this.protectedRecordCounts();
    const soon: { id: string; expiration_date: Date }[] = await this.dataSource.query(
      `SELECT id, expiration_date FROM key_ring_entries
        WHERE deleted_at IS NULL AND expiration_date < now() + make_interval(days => $1)`,
      [this.config.keyRing.expiryWarningDays],
    );
    const atRisk = soon.filter((entry) => (counts.get(entry.id) ?? 0) > 0);
    for (const entry of atRisk) {
      this.logger.warn(
        `Key-ring entry ${entry.id} expires ${entry.expiration_date.toISOString()} and still protects ${counts.get(entry.id)} values: activate a newer entry and rewrap`,
      );
    }
    this.nearExpiry.set(atRisk.length);
    return atRisk.length;
  }
}
