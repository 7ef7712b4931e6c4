import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthPrincipal } from '../auth/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.js';
import { StatementParameters } from '../database/statement.js';
import { currentRequestContext } from '../observability/request-context.js';
import { sealPendingEvents } from './audit-chain.js';
import type { AuditOutcome } from './entities/audit-event.entity.js';

export interface AuditRecord {
  /** e.g. `keystore.entry.create`, `project.key.deploy`, `auth.denied`. */
  action: string;
  /** Undefined for events without an authenticated caller (a failed login, the system itself). */
  actor?: Pick<AuthPrincipal, 'userId' | 'tokenKind' | 'tokenId'> | { userId: null; tokenKind: 'system' };
  resource: { type: string; id?: string | null };
  outcome?: AuditOutcome;
  /** Small, non-secret facts. Never values, key material, secrets or tokens. */
  details?: Record<string, unknown>;
}

const COLUMNS =
  'actor_id, actor_token_kind, actor_token_id, action, resource_type, resource_id, outcome, request_id, client_address, user_agent, details';
// Explicit types: in INSERT … SELECT the parameters would otherwise be untyped text.
const TYPES = ['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'jsonb'];

/**
 * PostgreSQL text and jsonb cannot hold U+0000, yet a caller can put it in a path (a project
 * name): without this, the event of refusing such a request would fail to be written.
 */
function storable(text: string | undefined): string | null {
  return text === undefined ? null : text.replaceAll('\0', '\uFFFD');
}

/** The actor of changes Keyward makes by itself (key generation, scheduled rewrap). */
export const SYSTEM_ACTOR = { userId: null, tokenKind: 'system' as const };

/**
 * Records audit events. `record` writes with the caller's EntityManager, i.e. in the same
 * transaction as the change: if the event cannot be written the change rolls back (fail
 * closed). Sealing into the hash chain happens after commit, in batches, off the hot path.
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer?: NodeJS.Timeout;
  private sealing?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async record(manager: EntityManager, event: AuditRecord): Promise<void> {
    const parameters = new StatementParameters();
    await manager.query(this.insertEvents(parameters, [event]), parameters.values);
  }

  /**
   * The INSERT of `events`, as a part of a statement being assembled (see asOneStatement):
   * recorded if and only if the rest of that statement is.
   */
  insertEvents(parameters: StatementParameters, events: AuditRecord[]): string {
    return `INSERT INTO audit_events (${COLUMNS}) VALUES ${events.map((event) => `(${this.placeholders(parameters, event)})`).join(', ')}`;
  }

  /**
   * One statement that runs `statement` (an INSERT/UPDATE/DELETE … RETURNING) and records
   * `event` for each row it returned: atomic without a transaction, one round trip instead of
   * four on a hot write path. Answers the statement's rows.
   */
  withEvent(statement: string, parameters: unknown[], event: AuditRecord): { sql: string; parameters: unknown[] } {
    const all = new StatementParameters([...parameters]);
    return {
      sql: `WITH written AS (${statement}),
            audited AS (INSERT INTO audit_events (${COLUMNS}) SELECT ${this.placeholders(all, event)} FROM written)
            SELECT * FROM written`,
      parameters: all.values,
    };
  }

  private placeholders(parameters: StatementParameters, event: AuditRecord): string {
    return this.values(event)
      .map((value, i) => parameters.add(value, TYPES[i]))
      .join(', ');
  }

  private values(event: AuditRecord): unknown[] {
    const context = currentRequestContext();
    const actor = event.actor;
    return [
      actor?.userId ?? null,
      actor?.tokenKind ?? null,
      actor && 'tokenId' in actor ? (actor.tokenId ?? null) : null,
      event.action,
      event.resource.type,
      storable(event.resource.id?.slice(0, 300)),
      event.outcome ?? 'success',
      context?.requestId ?? null,
      context?.clientAddress?.slice(0, 64) ?? null,
      context?.userAgent ?? null,
      JSON.stringify(event.details ?? {}, (_key, value: unknown) => (typeof value === 'string' ? storable(value) : value)),
    ];
  }

  /** For events that are the whole operation (a refusal, a failed login): their own (prepared) statement. */
  async recordAlone(event: AuditRecord): Promise<void> {
    const parameters = new StatementParameters();
    await this.sql.query(this.insertEvents(parameters, [event]), parameters.values);
  }

  onApplicationBootstrap(): void {
    const interval = this.config.auditSealIntervalMs;
    if (interval > 0) {
      this.timer = setInterval(() => void this.sealNow().catch((error: Error) => this.logger.error(`Sealing failed: ${error.message}`)), interval);
      this.timer.unref();
    }
  }

  // Before TypeORM closes the pool (it does so in onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sealing?.catch(() => undefined);
  }

  /** Seals everything committed so far; returns how many events it sealed. */
  async sealNow(): Promise<number> {
    if (this.sealing) await this.sealing.catch(() => undefined);
    const run = (async () => {
      let total = 0;
      for (;;) {
        const sealed = await sealPendingEvents(this.dataSource.manager);
        total += sealed;
        if (sealed < 1000) return total;
      }
    })();
    this.sealing = run;
    try {
      return await run;
    } finally {
      if (this.sealing === run) this.sealing = undefined;
    }
  }
}
