import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const KEY_TYPES = ['SECRET_KEY', 'PRIVATE_KEY', 'PUBLIC_KEY'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A project's crypto key; its content lives per environment in ProjectKeyContentEntity. */
@Entity('project_keys')
export class ProjectKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  @Column({ name: 'key_type', type: 'varchar', length: 16 })
  keyType: KeyType;

  /** Grows by one on every update; deployments publish it. */
  @Column({ name: 'current_version', type: 'integer' })
  currentVersion: number;

  @Column({ name: 'created_by', type: 'char', length: 24, nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
