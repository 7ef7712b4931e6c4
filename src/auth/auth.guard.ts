import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../http/problem.js';
import { ADMIN_ONLY, IS_PUBLIC, REQUIRED_PERMISSIONS } from './auth.decorators.js';
import { Authenticator } from './authenticator.js';
import { ProjectAccessService } from './project-access.service.js';
import type { ProjectPermission } from './project-permission.js';

/**
 * The one guard of all three APIs: authenticates every non-@Public route, then applies the
 * route's @AdminOnly or @RequirePermissions rule.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly projectAccess: ProjectAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets: [Function, Function] = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticator.authenticate(req.headers.authorization);
    req.principal = principal;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new AppError('forbidden', 'Forbidden - administrator rights are required');
    }
    const required = this.reflector.getAllAndOverride<ProjectPermission[]>(REQUIRED_PERMISSIONS, targets);
    if (required) {
      const projectName = (req.params as { projectName?: unknown }).projectName;
      if (typeof projectName !== 'string') throw new Error('@RequirePermissions needs a :projectName route parameter');
      req.projectAccess = await this.projectAccess.resolve(principal, projectName, required);
    }
    return true;
  }
}
