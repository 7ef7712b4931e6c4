import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import { HealthStatusDto } from './health-status.dto.js';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is up and serving HTTP. */
  @Public()
  @Get('live')
  @ApiOkResponse({ type: HealthStatusDto })
  getLiveness(): HealthStatusDto {
    return { status: 'ok' };
  }

  /** The service can do its work: the database answers. */
  @Public()
  @Get('ready')
  @ApiOkResponse({ type: HealthStatusDto })
  @ApiServiceUnavailableResponse({ type: HealthStatusDto })
  async getReadiness(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthStatusDto> {
    const databaseUp = await this.health.isDatabaseReachable();
    if (!databaseUp) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: databaseUp ? 'ok' : 'unavailable', database: databaseUp ? 'up' : 'down' };
  }
}
