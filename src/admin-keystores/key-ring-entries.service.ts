import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthPrincipal } from '../auth/principal.js';
import { KeyRingEntryEntity } from '../crypto/entities/key-ring-entry.entity.js';
import { decodeAesKey } from '../crypto/key-material.js';
import { findCurrentEntry, KeyRing } from '../crypto/key-ring.js';
import { RewrapService, type RewrapResult } from '../crypto/rewrap.service.js';
import { FOREIGN_KEY_VIOLATION, isUniqueViolation, sqlState } from '../database/postgres-errors.js';
import { parseInstant, utcDay } from '../http/instant.js';
import { AppError } from '../http/problem.js';
import type { CreateKeyStoreDto, GenerateKeyStoreDto, KeyStoreQueryDto, UpdateKeyStoreDto } from './dto/key-store.dto.js';
import type { KeyStoreEntryDto, KeyStoreStatus } from './dto/key-store-responses.dto.js';

const badRequest = (message: string) => new AppError('bad_request', message);

function statusOf(entry: KeyRingEntryEntity, activeId: string | undefined, now: Date): KeyStoreStatus {
  if (entry.deletedAt) return 'Deleted';
  if (entry.id === activeId) return 'Active';
  if (entry.activationDate > now) return 'Scheduled';
  if (entry.expirationDate <= now) return 'Expired';
  return 'Superseded';
}

/** The rules of the Chargeworx key-ring API (SPEC §3). Key material never leaves this module. */
@Injectable()
export class KeyRingEntriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyRing: KeyRing,
    private readonly rewrapService: RewrapService,
    private readonly audit: AuditService,
  ) {}

  async createEntry(principal: AuthPrincipal, dto: CreateKeyStoreDto): Promise<string> {
    const material = decodeAesKey(dto.key);
    if (!material) throw badRequest('key must be strict base64 of a 16, 24 or 32 byte AES key (AES-128/192/256)');
    return this.insertEntry(principal, 'keyring.entry.create', material, dto);
  }

  async generateEntry(principal: AuthPrincipal, dto: GenerateKeyStoreDto): Promise<string> {
    return this.insertEntry(principal, 'keyring.entry.generate', randomBytes((dto.bits ?? 256) / 8), dto);
  }

  private async insertEntry(
    principal: AuthPrincipal,
    action: string,
    material: Buffer,
    dto: { activationDate: Date; expirationDate: Date; description?: string },
  ): Promise<string> {
    const { activationDate, expirationDate } = dto;
    this.assertDates(activationDate, expirationDate);
    if (expirationDate.getTime() <= Date.now()) throw badRequest('expirationDate must be in the future');
    const id = randomUUID();
    await this.translateConflicts(
      () =>
        this.dataSource.transaction(async (tx) => {
          await this.keyRing.addEntry(tx, { material, activationDate, expirationDate, description: dto.description, createdBy: principal.userId }, id);
          await this.audit.record(tx, {
            action,
            actor: principal,
            resource: { type: 'keyring.entry', id },
            details: { keyBits: material.length * 8, activationDate: activationDate.toISOString(), expirationDate: expirationDate.toISOString() },
          });
        }),
      activationDate,
    );
    this.keyRing.invalidate();
    return id;
  }

  async listEntries(query: KeyStoreQueryDto): Promise<KeyStoreEntryDto[]> {
    const builder = this.dataSource.getRepository(KeyRingEntryEntity).createQueryBuilder('e').orderBy('e.activation_date', 'DESC');
    if (query.id) builder.andWhere('e.id = :id', { id: query.id });
    if (query.activationDate) {
      // The day's bounds computed here: CAST(... AS date) would follow the session's time zone.
      const day = utcDay(query.activationDate);
      if (day) builder.andWhere('e.activation_date >= :start AND e.activation_date < :end', { start: day[0], end: day[1] });
      else builder.andWhere('e.activation_date = :at', { at: parseInstant(query.activationDate) });
    }
    const [entries, context] = await Promise.all([builder.getMany(), this.statusContext()]);
    const mapped = entries.map((entry) => this.map(entry, context));
    return query.isActive === undefined ? mapped : mapped.filter((entry) => entry.isActive === query.isActive);
  }

  async actualEntry(): Promise<KeyStoreEntryDto> {
    const entry = await findCurrentEntry(this.dataSource.manager);
    if (!entry) throw new AppError('not_found', 'Active KeyStore does not exist');
    return this.map(entry, await this.statusContext());
  }

  async getEntry(id: string): Promise<KeyStoreEntryDto> {
    const [entry] = await this.listEntries({ id });
    if (!entry) throw notFound(id);
    return entry;
  }

  /** Description and expiration may change any time; activation only while the entry is Scheduled. */
  async updateEntry(principal: AuthPrincipal, id: string, dto: UpdateKeyStoreDto): Promise<KeyStoreEntryDto> {
    await this.dataSource.transaction(async (tx) => {
      const entry = await this.lockEntry(tx, id);
      const now = await this.now(tx);
      const activationDate = dto.activationDate ?? entry.activationDate;
      const expirationDate = dto.expirationDate ?? entry.expirationDate;
      if (dto.activationDate && activationDate.getTime() !== entry.activationDate.getTime() && entry.activationDate <= now) {
        throw badRequest('activationDate can only change while the entry is Scheduled');
      }
      this.assertDates(activationDate, expirationDate);
      if (dto.expirationDate && expirationDate <= now) throw badRequest('expirationDate must be in the future');
      // The event tells what changed, not what was sent; a request that changes nothing writes nothing.
      const changed: Record<string, string | null> = {};
      if (activationDate.getTime() !== entry.activationDate.getTime()) changed.activationDate = activationDate.toISOString();
      if (expirationDate.getTime() !== entry.expirationDate.getTime()) changed.expirationDate = expirationDate.toISOString();
      if (dto.description !== undefined && dto.description !== entry.description) changed.description = dto.description;
      if (Object.keys(changed).length === 0) return;
      await this.translateConflicts(
        () =>
          tx.getRepository(KeyRingEntryEntity).update(
            { id },
            { activationDate, expirationDate, ...(dto.description !== undefined ? { description: dto.description } : {}) },
          ),
        activationDate,
      );
      await this.audit.record(tx, { action: 'keyring.entry.update', actor: principal, resource: { type: 'keyring.entry', id }, details: changed });
    });
    this.keyRing.invalidate();
    return this.getEntry(id);
  }

  /**
   * Soft delete. Refused for the active entry and for one that still protects values; the
   * latter is also enforced by the (id, usable) foreign key, so a racing writer cannot slip in.
   */
  async deleteEntry(principal: AuthPrincipal, id: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const entry = await this.lockEntry(tx, id);
      const current = await findCurrentEntry(tx);
      if (current?.id === entry.id) throw badRequest('The active entry cannot be deleted');
      const protectedRecords = (await this.rewrapService.protectedRecordCounts(tx)).get(id) ?? 0;
      if (protectedRecords > 0) throw stillProtects(protectedRecords);
      try {
        await tx.query('UPDATE key_ring_entries SET deleted_at = now(), usable = false WHERE id = $1', [id]);
      } catch (error) {
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw stillProtects();
        throw error;
      }
      await this.audit.record(tx, { action: 'keyring.entry.delete', actor: principal, resource: { type: 'keyring.entry', id } });
    });
    this.keyRing.invalidate();
  }

  rewrap(principal: AuthPrincipal): Promise<RewrapResult> {
    return this.rewrapService.rewrap(principal);
  }

  private assertDates(activationDate: Date, expirationDate: Date): void {
    if (expirationDate <= activationDate) throw badRequest('expirationDate must be after activationDate');
  }

  private async translateConflicts(write: () => Promise<unknown>, activationDate: Date): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isUniqueViolation(error, 'key_ring_entries_fingerprint_key')) throw badRequest('The key material is already in the key ring');
      if (isUniqueViolation(error, 'key_ring_entries_activation_key')) {
        throw badRequest(`Another entry already activates at ${activationDate.toISOString()}: the rotation would be ambiguous`);
      }
      throw error;
    }
  }

  private async lockEntry(tx: EntityManager, id: string): Promise<KeyRingEntryEntity> {
    const entry = await tx.getRepository(KeyRingEntryEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!entry || entry.deletedAt) throw notFound(id);
    return entry;
  }

  private async statusContext() {
    const [current, counts, now] = await Promise.all([
      findCurrentEntry(this.dataSource.manager),
      this.rewrapService.protectedRecordCounts(),
      this.now(this.dataSource.manager),
    ]);
    return { activeId: current?.id, counts, now };
  }

  private map(entry: KeyRingEntryEntity, context: { activeId?: string; counts: Map<string, number>; now: Date }): KeyStoreEntryDto {
    return {
      id: entry.id,
      activationDate: entry.activationDate.toISOString(),
      expirationDate: entry.expirationDate.toISOString(),
      isActive: entry.id === context.activeId,
      status: statusOf(entry, context.activeId, context.now),
      description: entry.description,
      fingerprint: entry.fingerprint,
      keyBits: entry.keyBits,
      createdAt: entry.createdAt.toISOString(),
      createdBy: entry.createdBy,
      protectedRecords: context.counts.get(entry.id) ?? 0,
    };
  }

  private async now(manager: EntityManager): Promise<Date> {
    const [{ now }]: { now: Date }[] = await manager.query('SELECT now() AS now');
    return now;
  }
}

function notFound(id: string): AppError {
  return new AppError('not_found', `KeyStore (id: ${id}) does not exist`);
}

function stillProtects(count?: number): AppError {
  return badRequest(`The entry still protects ${count ?? 'some'} stored values: run POST /api/adm/KeyStores/rewrap first`);
}
