import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, CurrentPrincipal, CurrentProject, RequirePermissions } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { apinizerList, apinizerOk } from '../http/formats/apinizer.format.js';
import { ApiApinizerErrors } from '../http/formats/apinizer.openapi.js';
import {
  CreateProjectDto,
  mapProject,
  MemberParams,
  MemberResponseDto,
  ProjectListResponseDto,
  ProjectResponseDto,
  SetMemberPermissionsDto,
} from './dto/project.dto.js';
import { ProjectsService } from './projects.service.js';

@ApiTags('API Ops: projects')
@ApiApinizerErrors(401)
@Controller('apiops/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Creates a project (administrators); the creator holds every permission in it. */
  @Post()
  @HttpCode(200)
  @AdminOnly()
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiApinizerErrors([400, '`validation_failed`, or `bad_request` when the name is taken'], [403, '`forbidden`: administrators only'])
  async createProject(@CurrentPrincipal() principal: AuthPrincipal, @Body() dto: CreateProjectDto): Promise<ProjectResponseDto> {
    const { project, permissions } = await this.projects.createProject(principal, dto);
    return apinizerOk({ project: mapProject(project, permissions) });
  }

  /** The projects the caller holds any permission in (all of them for administrators). */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: ProjectListResponseDto })
  async getProjects(@CurrentPrincipal() principal: AuthPrincipal): Promise<ProjectListResponseDto> {
    const visible = await this.projects.listProjects(principal);
    return apinizerList(visible.map(({ project, permissions }) => mapProject(project, permissions)));
  }

  /** Sets a user's permissions in the project (administrators); an empty list removes the user. */
  @Put(':projectName/members/:userId')
  @AdminOnly()
  @RequirePermissions()
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiApinizerErrors(400, [403, '`forbidden`: administrators only'], [404, '`not_found`: no such project or user'])
  async setProjectMember(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess,
    @Param() params: MemberParams,
    @Body() dto: SetMemberPermissionsDto,
  ): Promise<MemberResponseDto> {
    const member = await this.projects.setMemberPermissions(principal, access, params.userId, dto.permissions);
    return apinizerOk({ member: { userId: member.userId, permissions: member.permissions } });
  }

  /** Removes a user from the project (administrators). */
  @Delete(':projectName/members/:userId')
  @AdminOnly()
  @RequirePermissions()
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiApinizerErrors(400, [403, '`forbidden`: administrators only'], [404, '`not_found`: no such project or member'])
  async removeProjectMember(
    @CurrentPrincipal() principal: AuthPrincipal,
    @CurrentProject() access: ProjectAccess,
    @Param() params: MemberParams,
  ): Promise<MemberResponseDto> {
    await this.projects.removeMember(principal, access, params.userId);
    return apinizerOk({ member: { userId: params.userId, permissions: [] } });
  }
}
