import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import { open, seal } from './aes-gcm.js';
import { KeyRingEntryEntity } from './entities/key-ring-entry.entity.js';
import { keyFingerprinter, masterKeyId } from './key-material.js';
import { assertRingWrappedBy, openKeyRingMaster, rotatedAway } from './key-ring-master.js';

export interface ActiveKey {
  id: string;
  key: Buffer;
}

export interface NewEntryInput {
  material: Buffer;
  activationDate: Date;
  expirationDate: Date;
  description?: string | null;
  createdBy?: string | null;
}

// Any fixed number: serialises "generate an entry because none is active" across instances.
const GENERATION_LOCK_ID = 7_201_944_222;
const KEY_CACHE_MS = 10 * 60_000;
export const DEFAULT_GENERATED_LIFETIME_MS = 365 * 24 * 3600_000;

export function entryAad(id: string): string {
  return `key-ring-entry:${id}`;
}

/**
 * The entry in use now (SPEC §3): started, not expired, not deleted; of several, the latest
 * activation. Pass a transaction's manager when inside one.
 */
export function findCurrentEntry(manager: EntityManager): Promise<KeyRingEntryEntity | null> {
  return manager
    .getRepository(KeyRingEntryEntity)
    .createQueryBuilder('e')
    .where('e.deleted_at IS NULL AND e.activation_date <= now() AND e.expiration_date > now()')
    .orderBy('e.activation_date', 'DESC')
    .limit(1)
    .getOne();
}

/**
 * The key hierarchy: KEYWARD_MASTER_KEY wraps each key-ring entry; entries encrypt values.
 * Unwrapped keys are cached in memory; which entry is active is re-read at most every
 * KEYWARD_KEYRING_CACHE_SECONDS, so another instance's new entry is used within that delay.
 */
@Injectable()
export class KeyRing implements OnApplicationBootstrap {
  private readonly logger = new Logger('KeyRing');
  private readonly masterKey: Buffer;
  private readonly masterKeyId: string;
  private fingerprintOf: (material: Buffer) => string = () => {
    throw new Error('The key ring is not open yet');
  };
  private readonly keys = new Map<string, { key: Buffer; until: number }>();
  private active?: { value: ActiveKey; until: number };
  /** Onlookers waiting for the same refresh share it. */
  private refreshing?: Promise<ActiveKey>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.masterKey = config.masterKey;
    this.masterKeyId = masterKeyId(config.masterKey);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.fingerprintOf = keyFingerprinter(await openKeyRingMaster(this.dataSource, this.masterKey));
    await this.activeKey({ fresh: true });
  }

  /** The entry that encrypts new values; one is generated (256-bit, one year) when none is current. */
  async activeKey(options: { fresh?: boolean } = {}): Promise<ActiveKey> {
    if (!options.fresh && this.active && this.active.until > Date.now()) return this.active.value;
    this.refreshing ??= this.loadActive().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Forget the cached active entry (after this instance changed the ring). */
  invalidate(): void {
    this.active = undefined;
  }

  async keyFor(entryId: string): Promise<Buffer> {
    const cached = this.keys.get(entryId);
    if (cached && cached.until > Date.now()) return cached.key;
    const entry = await this.dataSource.getRepository(KeyRingEntryEntity).findOneBy({ id: entryId });
    if (!entry) throw new Error(`Key-ring entry ${entryId} is missing`);
    return this.remember(entry);
  }

  /** Adds an entry with `input`'s material, sealed under the master key, in the caller's transaction. */
  async addEntry(tx: EntityManager, input: NewEntryInput, id: string): Promise<void> {
    await assertRingWrappedBy(tx, this.masterKeyId);
    await tx.getRepository(KeyRingEntryEntity).insert(this.buildEntry(input, id));
  }

  private buildEntry(input: NewEntryInput, id: string): Partial<KeyRingEntryEntity> {
    return {
      id,
      wrappedKey: seal(this.masterKey, input.material, entryAad(id)),
      masterKeyId: this.masterKeyId,
      fingerprint: this.fingerprintOf(input.material),
      keyBits: input.material.length * 8,
      activationDate: input.activationDate,
      expirationDate: input.expirationDate,
      description: input.description ?? null,
      usable: true,
      createdBy: input.createdBy ?? null,
    };
  }

  fingerprint(material: Buffer): string {
    return this.fingerprintOf(material);
  }

  private remember(entry: KeyRingEntryEntity): Buffer {
    if (entry.masterKeyId !== this.masterKeyId) throw rotatedAway();
    const key = open(this.masterKey, entry.wrappedKey, entryAad(entry.id));
    this.keys.set(entry.id, { key, until: Date.now() + KEY_CACHE_MS });
    return key;
  }

  private async loadActive(): Promise<ActiveKey> {
    const entry = (await findCurrentEntry(this.dataSource.manager)) ?? (await this.generateBecauseNoneIsActive());
    const value = { id: entry.id, key: this.remember(entry) };
    this.active = { value, until: Date.now() + this.config.keyRing.cacheSeconds * 1000 };
    return value;
  }

  private async generateBecauseNoneIsActive(): Promise<KeyRingEntryEntity> {
    return this.dataSource.transaction(async (tx: EntityManager) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [GENERATION_LOCK_ID]);
      const raced = await findCurrentEntry(tx);
      if (raced) return raced;
      const repository = tx.getRepository(KeyRingEntryEntity);
      const id = randomUUID();
      const [{ now }]: { now: Date }[] = await tx.query('SELECT now() AS now');
      await this.addEntry(
        tx,
        {
          material: randomBytes(32),
          activationDate: now,
          expirationDate: new Date(now.getTime() + DEFAULT_GENERATED_LIFETIME_MS),
          description: 'Generated by Keyward because no entry was active',
        },
        id,
      );
      await this.audit.record(tx, {
        action: 'keyring.entry.generate',
        actor: SYSTEM_ACTOR,
        resource: { type: 'keyring.entry', id },
        details: { keyBits: 256, reason: 'no active entry' },
      });
      this.logger.warn(`No key-ring entry was active: generated entry ${id} (AES-256, valid one year)`);
      return (await repository.findOneBy({ id }))!;
    });
  }
}
