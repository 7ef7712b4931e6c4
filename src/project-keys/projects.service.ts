import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { PROJECT_PERMISSIONS, type ProjectPermission } from '../auth/project-permission.js';
import { AuditService } from '../audit/audit.service.js';
import { IdentityCache } from '../auth/identity-cache.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { AppError } from '../http/problem.js';
import { ProjectMemberEntity } from './entities/project-member.entity.js';
import { ProjectEntity } from './entities/project.entity.js';

export interface VisibleProject {
  project: ProjectEntity;
  permissions: ProjectPermission[];
}

@Injectable()
export class ProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
    private readonly audit: AuditService,
    private readonly identityCache: IdentityCache,
  ) {}

  /** Creates a project; its creator holds every permission in it (SPEC §1). */
  async createProject(principal: AuthPrincipal, input: { name: string; description?: string }): Promise<VisibleProject> {
    try {
      const project = await this.dataSource.transaction(async (tx) => {
        const created = await tx.getRepository(ProjectEntity).save(
          tx.getRepository(ProjectEntity).create({ name: input.name, description: input.description ?? null, createdBy: principal.userId }),
        );
        await tx.getRepository(ProjectMemberEntity).insert({ projectId: created.id, userId: principal.userId, permissions: [...PROJECT_PERMISSIONS] });
        await this.audit.record(tx, { action: 'project.create', actor: principal, resource: { type: 'project', id: created.name }, details: { projectId: created.id } });
        return created;
      });
      return { project: (await this.projects.findOneBy({ id: project.id }))!, permissions: [...PROJECT_PERMISSIONS] };
    } catch (error) {
      if (isUniqueViolation(error, 'projects_name_key')) throw new AppError('bad_request', `Project (name: ${input.name}) is already exist!`);
      throw error;
    }
  }

  /** Admins see every project; others the ones they hold a grant in. */
  async listProjects(principal: AuthPrincipal): Promise<VisibleProject[]> {
    if (principal.isAdmin) {
      const all = await this.projects.find({ order: { name: 'ASC' } });
      return all.map((project) => ({ project, permissions: [...PROJECT_PERMISSIONS] }));
    }
    const rows = await this.projects
      .createQueryBuilder('p')
      .innerJoin(ProjectMemberEntity, 'm', 'm.project_id = p.id AND m.user_id = :userId', { userId: principal.userId })
      .addSelect('m.permissions', 'member_permissions')
      .where('cardinality(m.permissions) > 0')
      .orderBy('p.name', 'ASC')
      .getRawAndEntities();
    return rows.entities.map((project, i) => ({ project, permissions: rows.raw[i].member_permissions }));
  }

  /** Sets a user's grants in the project; an empty list removes the user from it. */
  async setMemberPermissions(actor: AuthPrincipal, access: ProjectAccess, userId: string, permissions: ProjectPermission[]): Promise<ProjectMemberEntity> {
    const exists: unknown[] = await this.dataSource.query('SELECT 1 FROM users WHERE id = $1', [userId]);
    if (exists.length === 0) throw new AppError('not_found', `User (id: ${userId}) is not found`);
    if (permissions.length === 0) {
      // Idempotent, as a PUT is: a user who was no member stays none.
      await this.deleteMembership(actor, access, userId);
      return { projectId: access.projectId, userId, permissions: [], updatedAt: new Date() };
    }
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO project_members (project_id, user_id, permissions) VALUES ($1, $2, $3)
         ON CONFLICT (project_id, user_id) DO UPDATE SET permissions = EXCLUDED.permissions, updated_at = now()`,
        [access.projectId, userId, permissions],
      );
      await this.identityCache.changed(tx, `project:${access.projectId}`);
      await this.audit.record(tx, { action: 'project.member.set', actor, resource: { type: 'project', id: access.projectName }, details: { userId, permissions } });
    });
    return { projectId: access.projectId, userId, permissions, updatedAt: new Date() };
  }

  async getMemberPermissions(access: ProjectAccess, userId: string): Promise<ProjectPermission[]> {
    const member = await this.dataSource.getRepository(ProjectMemberEntity).findOneBy({ projectId: access.projectId, userId });
    return member?.permissions ?? [];
  }

  async removeMember(actor: AuthPrincipal, access: ProjectAccess, userId: string): Promise<void> {
    if (!(await this.deleteMembership(actor, access, userId))) {
      throw new AppError('not_found', `User (id: ${userId}) is not a member of project (name: ${access.projectName})`);
    }
  }

  /** Whether there was a membership to delete; only then is the change announced and audited. */
  private deleteMembership(actor: AuthPrincipal, access: ProjectAccess, userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [{ removed }]: { removed: number }[] = await tx.query(
        'WITH removed AS (DELETE FROM project_members WHERE project_id = $1 AND user_id = $2 RETURNING 1) SELECT count(*)::int AS removed FROM removed',
        [access.projectId, userId],
      );
      if (removed === 0) return false;
      await this.identityCache.changed(tx, `project:${access.projectId}`);
      await this.audit.record(tx, { action: 'project.member.remove', actor, resource: { type: 'project', id: access.projectName }, details: { userId } });
      return true;
    });
  }
}
