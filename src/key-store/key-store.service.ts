import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type AuditRecord } from '../audit/audit.service.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ValueCipher } from '../crypto/value-cipher.js';
import { Sql } from '../database/sql.js';
import { AppError } from '../http/problem.js';
import type { CreateKeyStoreEntryDto, ListKeyStoreEntriesQueryDto, UpdateKeyStoreEntryDto } from './dto/key-store-entry.dto.js';
import type { V1KeyStoreEntryDto, V1KeyStoreEntryPageDto } from './dto/key-store-entry-responses.dto.js';
import { KeyStoreEntryEntity } from './entities/key-store-entry.entity.js';
import { decodeCursor, encodeCursor, ifMatchAllows, jsonSize, type JsonObject, likePrefix, shallowMerge } from './key-store-rules.js';

export const KEY_STORE_TABLE = 'key_store_entries';
const DEFAULT_PAGE_SIZE = 20;

/**
 * Changes are optimistic: read, decrypt, merge and encrypt without holding anything, then
 * write only if `version` is still the one read (`WHERE id = $1 AND version = $2`), else read
 * again. The database settles every race in that one statement. A row lock would have to be
 * held while ValueCipher fetches the active key-ring entry, which takes a second pool
 * connection: with more writers of one key than connections, the lock's waiters would hold
 * them all and the lock holder would wait for a connection that never frees (on the embedded
 * database, which has one session, already with a single writer). Every round has a winner;
 * the bound only stops a request from retrying forever.
 */
const MAX_WRITE_ATTEMPTS = 100;

const ENTRY_COLUMNS = `id, key, key_ring_entry_id AS "keyRingEntryId", key_ring_entry_usable AS "keyRingEntryUsable",
  ciphertext, version, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;
const RETURNING_ENTRY = `RETURNING ${ENTRY_COLUMNS}`;

interface OpenedEntry {
  entry: KeyStoreEntryEntity;
  data: JsonObject;
}

/** The rules of `/v1/key-store` (SPEC §2): one namespace; anyone signed in reads and creates, the creator or an admin changes. */
@Injectable()
export class KeyStoreService {
  constructor(
    private readonly sql: Sql,
    private readonly cipher: ValueCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** New key: version 1. Existing key: 409, unless `force` (replace) or `createOrUpdate` (shallow merge). */
  async createEntry(principal: AuthPrincipal, dto: CreateKeyStoreEntryDto): Promise<V1KeyStoreEntryDto> {
    this.assertSize(dto.data);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const created = await this.insert(principal, dto.key, dto.data);
      if (created) return map({ entry: created, data: dto.data });
      if (!dto.force && !dto.createOrUpdate) throw new AppError('conflict', `Key store entry (key: ${dto.key}) already exists`);
      const changed = await this.change(principal, dto.key, undefined, dto.force ? 'replace' : 'merge', (stored) =>
        dto.force ? dto.data : shallowMerge(stored, dto.data),
      );
      // Undefined: deleted between our insert and our read; try the insert again.
      if (changed) return map(changed);
    }
    throw contended(dto.key);
  }

  /** Any authenticated caller may read any entry. */
  async getEntry(_principal: AuthPrincipal, key: string): Promise<V1KeyStoreEntryDto> {
    const entry = await this.findByKey(key);
    if (!entry) throw notFound(key);
    return map({ entry, data: await this.open(entry) });
  }

  /** Shallow merge, or replace with `force`; `If-Match` is checked against the version changed (ignored with `force`). */
  async updateEntry(principal: AuthPrincipal, key: string, dto: UpdateKeyStoreEntryDto, ifMatch?: string): Promise<V1KeyStoreEntryDto> {
    const patch = dto.data;
    // The DTO's @IsOptional() lets an explicit `null` through (it skips null like undefined):
    // merging null threw a TypeError (500) and `force` would have stored null. `data` must be an object.
    if (patch === null) throw AppError.validation([{ field: 'data', message: 'data must be an object' }]);
    if (patch) this.assertSize(patch);
    const changed = await this.change(principal, key, dto.force ? undefined : ifMatch, dto.force ? 'replace' : 'merge', (stored) =>
      patch === undefined ? undefined : dto.force ? patch : shallowMerge(stored, patch),
    );
    if (!changed) throw notFound(key);
    return map(changed);
  }

  /** Answers with the entry as it was; honours `If-Match` like PUT. */
  async deleteEntry(principal: AuthPrincipal, key: string, ifMatch?: string): Promise<V1KeyStoreEntryDto> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await this.findByKey(key);
      if (!entry) throw notFound(key);
      this.assertMayChange(principal, entry);
      if (!ifMatchAllows(ifMatch, entry.version)) throw preconditionFailed(key);
      const data = await this.open(entry);
      const deleted = await this.writeOne(
        `DELETE FROM key_store_entries WHERE id = $1 AND version = $2 ${RETURNING_ENTRY}`,
        [entry.id, entry.version],
        event(principal, 'keystore.entry.delete', key, { version: entry.version }),
      );
      if (deleted) return map({ entry: deleted, data });
      await backoff(attempt);
    }
    throw contended(key);
  }

  /**
   * Keyset pagination in key order: each page starts after the previous page's last key, so
   * entries added or removed meanwhile never shift a page (no duplicates, nothing skipped).
   */
  async listEntries(_principal: AuthPrincipal, query: ListKeyStoreEntriesQueryDto): Promise<V1KeyStoreEntryPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && after === undefined) throw AppError.validation([{ field: 'cursor', message: 'cursor is malformed' }]);
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.prefix) conditions.push(`key LIKE $${parameters.push(likePrefix(query.prefix))} ESCAPE '\\'`);
    if (after !== undefined) conditions.push(`key > $${parameters.push(after)}`);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const found = await this.sql.query<Partial<KeyStoreEntryEntity>>(
      `SELECT ${ENTRY_COLUMNS} FROM key_store_entries ${where} ORDER BY key LIMIT $${parameters.push(limit + 1)}`,
      parameters,
    );
    const rows = found.map((row) => Object.assign(new KeyStoreEntryEntity(), row));
    const page = rows.slice(0, limit);
    const items = await Promise.all(page.map(async (entry) => map({ entry, data: await this.open(entry) })));
    return { items, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].key) : null };
  }

  /** Plain SQL on the hot path: the ORM's query building cost more CPU than the query itself. */
  private async findByKey(key: string): Promise<KeyStoreEntryEntity | undefined> {
    const rows = await this.sql.query<Partial<KeyStoreEntryEntity>>(`SELECT ${ENTRY_COLUMNS} FROM key_store_entries WHERE key = $1`, [key]);
    return rows[0] ? Object.assign(new KeyStoreEntryEntity(), rows[0]) : undefined;
  }

  /** The race of creates is settled by the unique key: exactly one insert returns a row. */
  private async insert(principal: AuthPrincipal, key: string, data: JsonObject): Promise<KeyStoreEntryEntity | undefined> {
    const id = randomUUID();
    return this.cipher.sealing(async () => {
      const sealed = await this.seal(id, data);
      return this.writeOne(
        `INSERT INTO key_store_entries (id, key, key_ring_entry_id, ciphertext, version, created_by)
         VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (key) DO NOTHING ${RETURNING_ENTRY}`,
        [id, key, sealed.keyRingEntryId, sealed.ciphertext, principal.userId],
        event(principal, 'keystore.entry.create', key, { version: 1 }),
      );
    });
  }

  /**
   * Applies `next` to the stored data and writes it as version + 1 (see MAX_WRITE_ATTEMPTS).
   * `next` answering undefined means "nothing to change". Undefined when the key does not exist.
   */
  private async change(
    principal: AuthPrincipal,
    key: string,
    ifMatch: string | undefined,
    mode: 'replace' | 'merge',
    next: (stored: JsonObject) => JsonObject | undefined,
  ): Promise<OpenedEntry | undefined> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await this.findByKey(key);
      if (!entry) return undefined;
      this.assertMayChange(principal, entry);
      if (!ifMatchAllows(ifMatch, entry.version)) throw preconditionFailed(key);
      const stored = await this.open(entry);
      const data = next(stored);
      if (data === undefined) return { entry, data: stored };
      this.assertSize(data);
      const updated = await this.cipher.sealing(async () => {
        const sealed = await this.seal(entry.id, data);
        return this.writeOne(
          `UPDATE key_store_entries
              SET key_ring_entry_id = $3, key_ring_entry_usable = true, ciphertext = $4, version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 ${RETURNING_ENTRY}`,
          [entry.id, entry.version, sealed.keyRingEntryId, sealed.ciphertext],
          event(principal, 'keystore.entry.update', key, { mode, version: entry.version + 1 }),
        );
      });
      if (updated) return { entry: updated, data };
      await backoff(attempt);
    }
    throw contended(key);
  }

  private assertMayChange(principal: AuthPrincipal, entry: KeyStoreEntryEntity): void {
    if (!principal.isAdmin && entry.createdBy !== principal.userId) {
      throw new AppError('forbidden', 'Only the creator of an entry or an administrator may change it');
    }
  }

  private assertSize(data: JsonObject): void {
    const max = this.config.keyStoreMaxDataBytes;
    if (jsonSize(data) > max) {
      throw new AppError('payload_too_large', 'Payload Too Large', { fields: [{ field: 'data', message: `data must be at most ${max} bytes as JSON` }] });
    }
  }

  private seal(id: string, data: JsonObject) {
    return this.cipher.encrypt(KEY_STORE_TABLE, id, Buffer.from(JSON.stringify(data), 'utf8'));
  }

  private async open(entry: KeyStoreEntryEntity): Promise<JsonObject> {
    const plaintext = await this.cipher.decrypt(KEY_STORE_TABLE, entry.id, { keyRingEntryId: entry.keyRingEntryId, ciphertext: entry.ciphertext });
    return JSON.parse(plaintext.toString('utf8')) as JsonObject;
  }

  /**
   * Runs one INSERT/UPDATE/DELETE … RETURNING together with its audit event, as one atomic
   * statement. Gives back the row it touched, if any (and then the event is recorded).
   */
  private async writeOne(statement: string, parameters: unknown[], audit: AuditRecord): Promise<KeyStoreEntryEntity | undefined> {
    const { sql, parameters: all } = this.audit.withEvent(statement, parameters, audit);
    const rows = await this.sql.query<Partial<KeyStoreEntryEntity>>(sql, all);
    return rows[0] ? Object.assign(new KeyStoreEntryEntity(), rows[0]) : undefined;
  }
}

/** The answer: the entry's public fields, one by one (ciphertext and key-ring reference stay inside). */
function map({ entry, data }: OpenedEntry): V1KeyStoreEntryDto {
  return {
    key: entry.key,
    data,
    createdBy: entry.createdBy,
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
    version: entry.version,
  };
}

function event(principal: AuthPrincipal, action: string, key: string, details: Record<string, unknown>): AuditRecord {
  return { action, actor: principal, resource: { type: 'keystore.entry', id: key }, details };
}

function notFound(key: string): AppError {
  return new AppError('not_found', `Key store entry (key: ${key}) is not found`);
}

function preconditionFailed(key: string): AppError {
  return new AppError('precondition_failed', `Key store entry (key: ${key}) has changed since the version in If-Match`);
}

function contended(key: string): AppError {
  return new AppError('conflict', `Key store entry (key: ${key}) is being changed by too many writers at once; retry`);
}

/** Random pause so that writers that lost a round do not collide again in lockstep. */
function backoff(attempt: number): Promise<void> {
  return sleep(Math.floor(Math.random() * Math.min(attempt, 10) * 5));
}
