/** Grants a user holds in one project (SPEC §1). Admins hold all of them everywhere. */
export const PROJECT_PERMISSIONS = ['SECRETS:VIEW', 'SECRETS:MANAGE', 'SECRETS:DEPLOY_UNDEPLOY'] as const;
export type ProjectPermission = (typeof PROJECT_PERMISSIONS)[number];

export function isProjectPermission(value: unknown): value is ProjectPermission {
  return typeof value === 'string' && (PROJECT_PERMISSIONS as readonly string[]).includes(value);
}
