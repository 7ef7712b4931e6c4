import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Seals key contents: a protected table (see ProtectedTables). */
export const KEY_CONTENTS_TABLE = 'project_key_contents';

/** A key's content for one environment, sealed under a key-ring entry (AAD `project_key_contents:<id>`). */
@Entity('project_key_contents')
export class ProjectKeyContentEntity {
  /** Replaced whenever the content changes, so a new value is sealed before the transaction that stores it. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  alias: string | null;

  /** The key version at which this content was last set. */
  @Column({ type: 'integer' })
  version: number;

  /** Keyed HMAC of the decoded content (KeyRing.fingerprint): identifies it without revealing it. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ name: 'key_ring_entry_id', type: 'uuid' })
  keyRingEntryId: string;

  @Column({ name: 'key_ring_entry_usable', type: 'boolean', default: true })
  keyRingEntryUsable: boolean;

  /** The base64 content exactly as sent, sealed. Never leaves the service except through deployed-keys. */
  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
