import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One `/v1/key-store` entry as stored. Never leaves KeyStoreService: responses are mapped field by field. */
@Entity('key_store_entries')
export class KeyStoreEntryEntity {
  /** Generated in Node before the insert: the ciphertext binds it as associated data. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 128, collation: 'C' })
  key: string;

  @Column({ name: 'key_ring_entry_id', type: 'uuid' })
  keyRingEntryId: string;

  /** Always true; part of the foreign key that keeps the key-ring entry from being deleted while in use. */
  @Column({ name: 'key_ring_entry_usable', type: 'boolean', default: true })
  keyRingEntryUsable: boolean;

  /** JSON of `data`, sealed with AES-GCM under the key-ring entry (AAD `key_store_entries:<id>`). */
  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  /** 1 at creation, +1 on every change; rewrapping does not change it. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_by', type: 'char', length: 24 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
