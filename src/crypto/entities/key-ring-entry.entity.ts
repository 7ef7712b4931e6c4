import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('key_ring_entries')
export class KeyRingEntryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The AES key sealed under the master key (AAD: the entry id). Never leaves the crypto module. */
  @Column({ name: 'wrapped_key', type: 'bytea' })
  wrappedKey: Buffer;

  @Column({ name: 'master_key_id', type: 'varchar', length: 16 })
  masterKeyId: string;

  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ name: 'key_bits', type: 'smallint' })
  keyBits: number;

  @Column({ name: 'activation_date', type: 'timestamptz' })
  activationDate: Date;

  @Column({ name: 'expiration_date', type: 'timestamptz' })
  expirationDate: Date;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** False once deleted; protected rows reference (id, usable=true), so the database refuses to delete a key still in use. */
  @Column({ type: 'boolean', default: true })
  usable: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'char', length: 24, nullable: true })
  createdBy: string | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
