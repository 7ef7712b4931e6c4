import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
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
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly projectAccess: ProjectAccessService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets: [Function, Function] = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    try {
      await this.authorize(req, targets);
      return true;
    } catch (error) {
      if (error instanceof AppError && ['unauthenticated', 'forbidden', 'not_found'].includes(error.kind)) await this.recordRefusal(req, error);
      throw error;
    }
  }

  private async authorize(req: Request, targets: [Function, Function]): Promise<void> {
    const principal = await this.authenticator.authenticate(req.get('authorization'));
    req.principal = principal;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new AppError('forbidden', 'Forbidden - administrator rights are required');
    }
    const required = this.reflector.getAllAndOverride<ProjectPermission[]>(REQUIRED_PERMISSIONS, targets);
    if (required) {
      const projectName = req.params.projectName;
      if (typeof projectName !== 'string') throw new Error('@RequirePermissions needs a :projectName route parameter');
      req.projectAccess = await this.projectAccess.resolve(principal, projectName, required);
    }
  }

  /** Every refusal is audited; the refusal stands even if the event cannot be written. */
  private async recordRefusal(req: Request, error: AppError): Promise<void> {
    try {
      await this.audit.recordAlone({
        action: 'auth.denied',
        actor: req.principal,
        resource: { type: 'route', id: `${req.method} ${req.baseUrl}${String(req.route?.path ?? req.path)}` },
        outcome: 'denied',
        details: { reason: error.extra.authFailure ?? error.kind, ...(req.params.projectName ? { projectName: String(req.params.projectName).slice(0, 100) } : {}) },
      });
    } catch (auditError) {
      this.logger.error(`Could not record a refusal: ${(auditError as Error).message}`);
    }
  }
}
