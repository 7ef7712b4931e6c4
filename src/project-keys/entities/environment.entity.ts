import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ENVIRONMENT_TYPES = ['PRODUCTION', 'SANDBOX', 'TEST'] as const;
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

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
}
