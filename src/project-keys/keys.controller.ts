import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, CurrentProject, RequirePermissions } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { apinizerList, apinizerOk } from '../http/formats/apinizer.format.js';
import { ApiApinizerErrors } from '../http/formats/apinizer.openapi.js';
import { DeploymentsService } from './deployments.service.js';
import { EnvironmentNameParams, KeyCreateDTO, KeyEnvironmentParams, KeyNameParams, KeyUpdateDTO } from './dto/key.dto.js';
import { DeployedKeyListResponseDto, KeyDeploymentResponseDto, KeyListResponseDto, KeyResponseDto } from './dto/key-responses.dto.js';
import { KeysService } from './keys.service.js';

const PROJECT_PARAM = { name: 'projectName', type: String, example: 'MyProject' };

@ApiTags('API Ops: keys')
@ApiApinizerErrors(
  [400, '`validation_failed`: a malformed path value (key or environment name) or body'],
  401,
  [403, '`forbidden`: a member lacking a permission the operation needs'],
  [404, '`not_found`: no such project, key or environment, or the caller has no grant in the project'],
)
@Controller('apiops/projects/:projectName')
export class KeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly deployments: DeploymentsService,
  ) {}

  /**
   * Creates a key and deploys it to every listed environment (seed 003). SECRETS:MANAGE, and
   * SECRETS:DEPLOY_UNDEPLOY too when the list names environments. The deploymentResult reports
   * each environment: success is false where its webhook did not answer 2xx in time.
   */
  @Post('keys')
  @HttpCode(200)
  @RequirePermissions('SECRETS:MANAGE')
  @ApiParam(PROJECT_PARAM)
  @ApiOkResponse({ type: KeyDeploymentResponseDto })
  @ApiApinizerErrors([400, '`bad_request`: duplicate name or unknown environment; `validation_failed`: a field, or content not valid for the key type (named in `validation_errors`)'])
  async createProjectKey(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess,
    @Body() dto: KeyCreateDTO,
  ): Promise<KeyDeploymentResponseDto> {
    return apinizerOk({ deploymentResult: await this.keys.createKey(principal, access, dto) });
  }

  /** The project's keys with, per environment, a fingerprint of the content (never the content). */
  @Get('keys')
  @RequirePermissions('SECRETS:VIEW')
  @ApiParam(PROJECT_PARAM)
  @ApiOkResponse({ type: KeyListResponseDto })
  async getProjectKeys(@CurrentProject() access: ProjectAccess): Promise<KeyListResponseDto> {
    return apinizerList(await this.keys.listKeys(access));
  }

  /** One key with, per environment, a fingerprint of the content (never the content). */
  @Get('keys/:keyName')
  @RequirePermissions('SECRETS:VIEW')
  @ApiOkResponse({ type: KeyResponseDto })
  async getProjectKey(@CurrentProject() access: ProjectAccess, @Param() params: KeyNameParams): Promise<KeyResponseDto> {
    return apinizerOk({ key: await this.keys.getKey(access, params.keyName) });
  }

  /**
   * Partial update, rename included; makes a new version and redeploys it wherever the key is
   * deployed and to the environments listed. SECRETS:MANAGE, and SECRETS:DEPLOY_UNDEPLOY too
   * when environments are listed or the key is deployed.
   */
  @Put('keys/:keyName')
  @RequirePermissions('SECRETS:MANAGE')
  @ApiOkResponse({ type: KeyDeploymentResponseDto })
  @ApiApinizerErrors([400, '`bad_request`: name taken, unknown environment or a key type change missing content; `validation_failed`: a field, or content not valid for the key type'])
  async updateProjectKey(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess, @Param() params: KeyNameParams, @Body() dto: KeyUpdateDTO): Promise<KeyDeploymentResponseDto> {
    return apinizerOk({ deploymentResult: await this.keys.updateKey(principal, access, params.keyName, dto) });
  }

  /** Undeploys the key everywhere and deletes it. SECRETS:MANAGE, and SECRETS:DEPLOY_UNDEPLOY too when it is deployed. */
  @Delete('keys/:keyName')
  @RequirePermissions('SECRETS:MANAGE')
  @ApiOkResponse({ type: KeyDeploymentResponseDto })
  async deleteProjectKey(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess, @Param() params: KeyNameParams): Promise<KeyDeploymentResponseDto> {
    return apinizerOk({ deploymentResult: await this.keys.deleteKey(principal, access, params.keyName) });
  }

  /** Publishes the key's current version to the environment; deploying again retries a failed webhook notification. */
  @Post('keys/:keyName/environments/:environmentName/deployment')
  @HttpCode(200)
  @RequirePermissions('SECRETS:DEPLOY_UNDEPLOY')
  @ApiOkResponse({ type: KeyDeploymentResponseDto })
  @ApiApinizerErrors([400, '`bad_request`: the key has no content for that environment'])
  async deployProjectKey(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess, @Param() params: KeyEnvironmentParams): Promise<KeyDeploymentResponseDto> {
    return apinizerOk({ deploymentResult: await this.keys.deployKey(principal, access, params.keyName, params.environmentName) });
  }

  /** Withdraws the key from the environment; its content there is kept for a later deployment. */
  @Delete('keys/:keyName/environments/:environmentName/deployment')
  @RequirePermissions('SECRETS:DEPLOY_UNDEPLOY')
  @ApiOkResponse({ type: KeyDeploymentResponseDto })
  @ApiApinizerErrors([400, '`bad_request`: the key is not deployed to that environment'])
  async undeployProjectKey(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess, @Param() params: KeyEnvironmentParams): Promise<KeyDeploymentResponseDto> {
    return apinizerOk({ deploymentResult: await this.keys.undeployKey(principal, access, params.keyName, params.environmentName) });
  }

  /** What the environment's runtime loads: every key deployed to it, with its content — the one place content is returned. */
  @Get('environments/:environmentName/deployed-keys')
  @RequirePermissions('SECRETS:VIEW')
  @ApiOkResponse({ type: DeployedKeyListResponseDto })
  async getDeployedKeys(@CurrentProject() access: ProjectAccess, @Param() params: EnvironmentNameParams): Promise<DeployedKeyListResponseDto> {
    return apinizerList(await this.deployments.listDeployedKeys(access, params.environmentName));
  }
}
