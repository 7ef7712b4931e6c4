import { Injectable } from '@nestjs/common';
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

  async decrypt(table: string, rowId: string, sealed: SealedValue): Promise<Buffer> {
    const key = await this.keyRing.keyFor(sealed.keyRingEntryId);
    return open(key, sealed.ciphertext, rowAad(table, rowId));
  }
}
