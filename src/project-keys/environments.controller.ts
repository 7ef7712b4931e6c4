import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, CurrentProject, RequirePermissions } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { apinizerList, apinizerOk } from '../http/formats/apinizer.format.js';
import { ApiApinizerErrors } from '../http/formats/apinizer.openapi.js';
import { CreatedEnvironmentResponseDto, CreateEnvironmentDto, EnvironmentListResponseDto } from './dto/environment.dto.js';
import { EnvironmentsService } from './environments.service.js';

@ApiTags('API Ops: environments')
@ApiParam({ name: 'projectName', type: String, example: 'MyProject' })
@ApiApinizerErrors(
  401,
  [403, '`forbidden`: a member lacking the permission the operation needs'],
  [404, '`not_found`: no such project, or the caller has no grant in it'],
)
@Controller('apiops/projects/:projectName/environments')
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  @Get()
  @RequirePermissions('SECRETS:VIEW')
  @ApiOkResponse({ type: EnvironmentListResponseDto })
  async getEnvironments(@CurrentProject() access: ProjectAccess): Promise<EnvironmentListResponseDto> {
    return apinizerList(await this.environments.listEnvironments(access));
  }

  /** Creates an environment; with a webhookUrl (administrators only) its signing secret is in this answer, once. */
  @Post()
  @HttpCode(200)
  @RequirePermissions('SECRETS:MANAGE')
  @ApiOkResponse({ type: CreatedEnvironmentResponseDto })
  @ApiApinizerErrors([400, '`validation_failed`, or `bad_request` when the name is taken'])
  async createEnvironment(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess,
    @Body() dto: CreateEnvironmentDto,
  ): Promise<CreatedEnvironmentResponseDto> {
    return apinizerOk(await this.environments.createEnvironment(principal, access, dto));
  }
}
