import { Injectable } from '@nestjs/common';
import { isForeignKeyViolation } from '../database/postgres-errors.js';
import { open, seal } from './aes-gcm.js';
import { KeyRing } from './key-ring.js';

/** A value sealed under a key-ring entry, as stored beside the row. */
export interface SealedValue {
  keyRingEntryId: string;
  ciphertext: Buffer;
}

/** The associated data binding a ciphertext to its row: copied to another row, it fails to open. */
export function rowAad(table: string, rowId: string): string {
  return `${table}:${rowId}`;
}

/** Encrypts values at rest under the active key-ring entry (SPEC §5). */
@Injectable()
export class ValueCipher {
  constructor(private readonly keyRing: KeyRing) {}

  async encrypt(table: string, rowId: string, plaintext: Buffer): Promise<SealedValue> {
    const active = await this.keyRing.activeKey();
    return { keyRingEntryId: active.id, ciphertext: seal(active.key, plaintext, rowAad(table, rowId)) };
  }

  /**
   * Runs `write`, which seals with encrypt() and stores what it sealed. Another instance may have
   * deleted the entry this one still caches as active (for up to KEYWARD_KEYRING_CACHE_SECONDS):
   * the (id, usable) foreign key then refuses the write, which runs once more under the entry
   * active now, read afresh.
   */
  async sealing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isForeignKeyViolation(error, (name) => name.endsWith('_key_ring_entry_fk'))) throw error;
      this.keyRing.invalidate();
      return write();
    }
  }

  async decrypt(table: string, rowId: string, sealed: SealedValue): Promise<Buffer> {
    const key = await this.keyRing.keyFor(sealed.keyRingEntryId);
    return open(key, sealed.ciphertext, rowAad(table, rowId));
  }
}
