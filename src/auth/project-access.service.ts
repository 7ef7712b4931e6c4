import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql.js';
import { AppError } from '../http/problem.js';
import { IdentityCache } from './identity-cache.js';
import type { AuthPrincipal } from './principal.js';
import { PROJECT_PERMISSIONS, type ProjectPermission } from './project-permission.js';

/** A project the caller may act in, with what it may do there. */
export interface ProjectAccess {
  projectId: string;
  projectName: string;
  permissions: ReadonlySet<ProjectPermission>;
}

export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function projectNotFound(projectName: string): AppError {
  return new AppError('not_found', `Project (name: ${projectName}) is not found or user does not have privilege to access it!`, { refusal: true });
}

/** A member lacking a permission the operation needs: 403, naming what is missing. */
export function missingPermissions(projectName: string, missing: readonly ProjectPermission[]): AppError {
  return new AppError('forbidden', `Missing permission ${missing.join(', ')} in project ${projectName}`);
}

@Injectable()
export class ProjectAccessService {
  constructor(
    private readonly sql: Sql,
    private readonly cache: IdentityCache,
  ) {}

  /**
   * Resolves `projectName` for the caller. A project the caller holds no grant in answers
   * exactly like a missing one (SPEC §1); a member lacking a permission gets 403.
   */
  async resolve(principal: AuthPrincipal, projectName: string, required: readonly ProjectPermission[]): Promise<ProjectAccess> {
    if (!PROJECT_NAME_PATTERN.test(projectName)) throw projectNotFound(projectName.slice(0, 100));
    const row = await this.cache.get(
      `grants:${principal.userId}:${projectName.toLowerCase()}`,
      (found) => [`user:${principal.userId}`, `project:${found!.id}`],
      async () => {
        const rows = await this.sql.query<{ id: string; name: string; permissions: ProjectPermission[] | null }>(
          `SELECT p.id, p.name, m.permissions
             FROM projects p LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = $2
            WHERE lower(p.name) = lower($1)`,
          [projectName, principal.userId],
        );
        return rows[0];
      },
    );
    const granted = principal.isAdmin ? [...PROJECT_PERMISSIONS] : (row?.permissions ?? []);
    if (!row || granted.length === 0) throw projectNotFound(projectName);
    const missing = required.filter((permission) => !granted.includes(permission));
    if (missing.length > 0) throw missingPermissions(row.name, missing);
    return { projectId: row.id, projectName: row.name, permissions: new Set(granted) };
  }
}
