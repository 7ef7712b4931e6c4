import { Injectable } from '@nestjs/common';

/**
 * Tables whose rows hold a value sealed under a key-ring entry. Each has `id uuid`,
 * `key_ring_entry_id`, `key_ring_entry_usable` and `ciphertext` columns, and seals with the
 * associated data `<table>:<id>` (see ValueCipher). Modules register their tables at start-up;
 * rewrap and `protectedRecords` walk this list.
 */
@Injectable()
export class ProtectedTables {
  private readonly tables = new Set<string>();

  register(table: string): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Not a plain table name: ${table}`);
    this.tables.add(table);
  }

  list(): string[] {
    return [...this.tables].sort();
  }
}
