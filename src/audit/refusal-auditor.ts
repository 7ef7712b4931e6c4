import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AppError } from '../http/problem.js';
import { AuditService } from './audit.service.js';

/** Whether an error refuses the caller (and so is audited as `auth.denied`). */
export function isRefusal(error: AppError): boolean {
  return error.extra.refusal ?? (error.kind === 'unauthenticated' || error.kind === 'forbidden');
}

/**
 * Records every refusal — by the guard or by a service's ownership rule — as `auth.denied`.
 * Best effort: the refusal stands even if the event cannot be written.
 */
@Injectable()
export class RefusalAuditor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly audit: AuditService) {}

  isRefusal(error: AppError): boolean {
    return isRefusal(error);
  }

  async record(req: FastifyRequest, error: AppError): Promise<void> {
    const projectName = (req.params as { projectName?: unknown } | undefined)?.projectName;
    try {
      await this.audit.recordAlone({
        action: 'auth.denied',
        actor: req.principal,
        resource: { type: 'route', id: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`.slice(0, 300) },
        outcome: 'denied',
        details: {
          reason: error.extra.authFailure ?? error.kind,
          ...(typeof projectName === 'string' ? { projectName: projectName.slice(0, 100) } : {}),
        },
      });
    } catch (auditError) {
      this.logger.error(`Could not record a refusal: ${(auditError as Error).message}`);
    }
  }
}
