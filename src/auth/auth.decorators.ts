import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthPrincipal } from './principal.js';
import type { ProjectAccess } from './project-access.service.js';
import type { ProjectPermission } from './project-permission.js';

export const IS_PUBLIC = 'keyward:public';
export const ADMIN_ONLY = 'keyward:admin-only';
export const REQUIRED_PERMISSIONS = 'keyward:required-permissions';

/** No token needed (health, metrics, the token endpoint). Every other route requires one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Any authenticated, enabled user. */
export const Authenticated = () => ApiBearerAuth();

/** Administrators only (all of /api/adm). */
export const AdminOnly = () => applyDecorators(SetMetadata(ADMIN_ONLY, true), ApiBearerAuth());

/**
 * The caller needs every listed permission in the project named by the `projectName` path
 * parameter. Without any grant there the project answers as if it did not exist.
 */
export const RequirePermissions = (...permissions: ProjectPermission[]) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, permissions), ApiBearerAuth());

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthPrincipal => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().principal!;
});

/** The project resolved (and access-checked) by @RequirePermissions. */
export const CurrentProject = createParamDecorator((_data: unknown, ctx: ExecutionContext): ProjectAccess => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().projectAccess!;
});

declare module 'fastify' {
  interface FastifyRequest {
    principal?: AuthPrincipal;
    projectAccess?: ProjectAccess;
  }
}
