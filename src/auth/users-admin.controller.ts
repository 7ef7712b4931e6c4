import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { chargeworxOk } from '../http/formats/chargeworx.format.js';
import { ApiChargeworxErrors } from '../http/formats/chargeworx.openapi.js';
import { AdminOnly, CurrentPrincipal } from './auth.decorators.js';
import type { AuthPrincipal } from './principal.js';
import { CreateUserDto, mapUser, RotateSecretDto, UpdateUserDto } from './dto/user.dto.js';
import { UserCommandResponseDto, UserListResponseDto } from './dto/user-responses.dto.js';
import { UserIdParam } from './dto/user-id-param.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('Admin: users')
@ApiChargeworxErrors(401, 403)
@AdminOnly()
@Controller(['api/adm/users', 'api/admin/users'])
export class UsersAdminController {
  constructor(private readonly users: UsersService) {}

  /** Creates a user; the generated secret is in the answer this once. */
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: UserCommandResponseDto })
  @ApiChargeworxErrors(400, [409, 'code 400 BadRequest: the username is taken'])
  async createUser(@CurrentPrincipal() principal: AuthPrincipal, @Body() dto: CreateUserDto): Promise<UserCommandResponseDto> {
    const { user, generatedSecret } = await this.users.createUser(principal, dto);
    return chargeworxOk({ id: user.id, user: mapUser(user), ...(generatedSecret ? { secret: generatedSecret } : {}) });
  }

  @Get()
  @ApiOkResponse({ type: UserListResponseDto })
  async getUsers(): Promise<UserListResponseDto> {
    return chargeworxOk({ users: (await this.users.listUsers()).map(mapUser) });
  }

  /** Disables/enables or promotes/demotes; the last enabled admin cannot lose its rights. */
  @Patch(':id')
  @ApiOkResponse({ type: UserCommandResponseDto })
  @ApiChargeworxErrors(400, 404)
  async updateUser(@CurrentPrincipal() principal: AuthPrincipal, @Param() { id }: UserIdParam, @Body() dto: UpdateUserDto): Promise<UserCommandResponseDto> {
    const user = await this.users.updateUser(principal, id, dto);
    return chargeworxOk({ id: user.id, user: mapUser(user) });
  }

  /** Replaces the secret; access tokens issued under the old one stop working. */
  @Post(':id/secret')
  @HttpCode(200)
  @ApiOkResponse({ type: UserCommandResponseDto })
  @ApiChargeworxErrors(400, 404)
  async rotateUserSecret(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { id }: UserIdParam,
    @Body() dto: RotateSecretDto,
  ): Promise<UserCommandResponseDto> {
    const { user, generatedSecret } = await this.users.rotateSecret(principal, id, dto.secret);
    return chargeworxOk({ id: user.id, user: mapUser(user), ...(generatedSecret ? { secret: generatedSecret } : {}) });
  }
}
