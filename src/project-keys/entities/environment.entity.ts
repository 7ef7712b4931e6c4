import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ENVIRONMENT_TYPES = ['PRODUCTION', 'SANDBOX', 'TEST'] as const;
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

/** Seals webhook secrets: a protected table (see ProtectedTables). */
export const ENVIRONMENTS_TABLE = 'environments';

@Entity('environments')
export class EnvironmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: EnvironmentType;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  @Column({ name: 'created_by', type: 'char', length: 24, nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** Where deployments of this environment are announced (admin-set); null without a webhook. */
  @Column({ name: 'webhook_url', type: 'varchar', length: 2000, nullable: true })
  webhookUrl: string | null;

  /** The webhook signing secret, sealed (AAD `environments:<id>`); the three columns are null without a webhook. */
  @Column({ name: 'key_ring_entry_id', type: 'uuid', nullable: true })
  keyRingEntryId: string | null;

  @Column({ name: 'key_ring_entry_usable', type: 'boolean', nullable: true })
  keyRingEntryUsable: boolean | null;

  @Column({ type: 'bytea', nullable: true })
  ciphertext: Buffer | null;
}
