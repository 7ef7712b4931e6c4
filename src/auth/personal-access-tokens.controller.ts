import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { appliveryOk } from '../http/formats/applivery.format.js';
import { ApiAppliveryErrors } from '../http/formats/applivery.openapi.js';
import { Authenticated, CurrentPrincipal } from './auth.decorators.js';
import {
  CreatedPersonalAccessTokenResponseDto,
  CreatePersonalAccessTokenDto,
  mapPersonalAccessToken,
  PersonalAccessTokenIdParam,
  PersonalAccessTokenListResponseDto,
  PersonalAccessTokenResponseDto,
} from './dto/personal-access-token.dto.js';
import { PersonalAccessTokensService } from './personal-access-tokens.service.js';
import type { AuthPrincipal } from './principal.js';

@ApiTags('Personal access tokens')
@ApiAppliveryErrors(401)
@Authenticated()
@Controller('v1/personal-access-tokens')
export class PersonalAccessTokensController {
  constructor(private readonly tokens: PersonalAccessTokensService) {}

  /** Creates a token for the caller; the token is in the answer this once. */
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: CreatedPersonalAccessTokenResponseDto })
  @ApiAppliveryErrors(400)
  async createPersonalAccessToken(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Body() dto: CreatePersonalAccessTokenDto,
  ): Promise<CreatedPersonalAccessTokenResponseDto> {
    const { entity, token } = await this.tokens.issue(principal, principal.userId, dto.name, dto.expiresAt);
    return appliveryOk({ ...mapPersonalAccessToken(entity), token });
  }

  /** The caller's tokens (never the tokens themselves). */
  @Get()
  @ApiOkResponse({ type: PersonalAccessTokenListResponseDto })
  async getPersonalAccessTokens(@CurrentPrincipal() principal: AuthPrincipal): Promise<PersonalAccessTokenListResponseDto> {
    return appliveryOk((await this.tokens.list(principal.userId)).map(mapPersonalAccessToken));
  }

  /** Revokes one of the caller's tokens, effective on the next request. */
  @Delete(':id')
  @ApiOkResponse({ type: PersonalAccessTokenResponseDto })
  @ApiAppliveryErrors([400, 'the id is not a UUID'], [404, '3001: no such token of the caller'])
  async revokePersonalAccessToken(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { id }: PersonalAccessTokenIdParam,
  ): Promise<PersonalAccessTokenResponseDto> {
    return appliveryOk(mapPersonalAccessToken(await this.tokens.revoke(principal, id, principal.userId)));
  }
}
