import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators.js';
import { chargeworxOk } from '../http/formats/chargeworx.format.js';
import { ChargeworxErrorDto } from '../http/formats/chargeworx-response.dto.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditEventListResponseDto, AuditEventQueryDto, mapAuditEvent } from './dto/audit-event.dto.js';

@ApiTags('Admin: audit')
@ApiUnauthorizedResponse({ type: ChargeworxErrorDto })
@ApiForbiddenResponse({ type: ChargeworxErrorDto })
@AdminOnly()
@Controller(['api/adm/audit-events', 'api/admin/audit-events'])
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsService) {}

  /** Audit events, newest first, filtered and cursor-paginated. */
  @Get()
  @ApiBadRequestResponse({ type: ChargeworxErrorDto })
  async getAuditEvents(@Query() query: AuditEventQueryDto): Promise<AuditEventListResponseDto> {
    const { events, nextCursor } = await this.auditEvents.findEvents(query);
    return chargeworxOk({ events: events.map(mapAuditEvent), nextCursor });
  }
}
