import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators.js';
import { chargeworxOk } from '../http/formats/chargeworx.format.js';
import { ApiChargeworxErrors } from '../http/formats/chargeworx.openapi.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditEventListResponseDto, AuditEventQueryDto, mapAuditEvent } from './dto/audit-event.dto.js';

@ApiTags('Admin: audit')
@ApiChargeworxErrors(401, 403)
@AdminOnly()
@Controller(['api/adm/audit-events', 'api/admin/audit-events'])
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsService) {}

  /** Audit events, newest first, filtered and cursor-paginated. */
  @Get()
  @ApiOkResponse({ type: AuditEventListResponseDto })
  @ApiChargeworxErrors(400)
  async getAuditEvents(@Query() query: AuditEventQueryDto): Promise<AuditEventListResponseDto> {
    const { events, nextCursor } = await this.auditEvents.findEvents(query);
    return chargeworxOk({ events: events.map(mapAuditEvent), nextCursor });
  }
}
