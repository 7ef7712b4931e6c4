import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProjectPermission } from '../../auth/project-permission.js';

@Entity('project_members')
export class ProjectMemberEntity {
  @PrimaryColumn({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @PrimaryColumn({ name: 'user_id', type: 'char', length: 24 })
  userId: string;

  @Column({ type: 'text', array: true })
  permissions: ProjectPermission[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
