import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentPrincipal, CurrentProject, RequirePermissions } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { apinizerList, apinizerOk } from '../http/formats/apinizer.format.js';
import { ApinizerErrorDto } from '../http/formats/apinizer-response.dto.js';
import { CreatedEnvironmentResponseDto, CreateEnvironmentDto, EnvironmentListResponseDto } from './dto/environment.dto.js';
import { EnvironmentsService } from './environments.service.js';

@ApiTags('API Ops: environments')
@ApiParam({ name: 'projectName', example: 'MyProject' })
@ApiUnauthorizedResponse({ type: ApinizerErrorDto })
@ApiForbiddenResponse({ type: ApinizerErrorDto })
@ApiNotFoundResponse({ type: ApinizerErrorDto })
@Controller('apiops/projects/:projectName/environments')
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  @Get()
  @RequirePermissions('SECRETS:VIEW')
  async getEnvironments(@CurrentProject() access: ProjectAccess): Promise<EnvironmentListResponseDto> {
    return apinizerList(await this.environments.listEnvironments(access));
  }

  /** Creates an environment; with a webhookUrl (administrators only) its signing secret is in this answer, once. */
  @Post()
  @HttpCode(200)
  @RequirePermissions('SECRETS:MANAGE')
  @ApiOkResponse({ type: CreatedEnvironmentResponseDto })
  @ApiBadRequestResponse({ type: ApinizerErrorDto })
  async createEnvironment(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess,
    @Body() dto: CreateEnvironmentDto,
  ): Promise<CreatedEnvironmentResponseDto> {
    return apinizerOk(await this.environments.createEnvironment(principal, access, dto));
  }
}
