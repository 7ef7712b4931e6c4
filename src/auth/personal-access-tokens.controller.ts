import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { appliveryOk, type AppliveryOk } from '../http/formats/applivery.format.js';
import { AppliveryErrorDto } from '../http/formats/applivery-response.dto.js';
import { Authenticated, CurrentPrincipal } from './auth.decorators.js';
import {
  CreatedPersonalAccessTokenDto,
  CreatePersonalAccessTokenDto,
  mapPersonalAccessToken,
  PersonalAccessTokenDto,
  PersonalAccessTokenIdParam,
} from './dto/personal-access-token.dto.js';
import { PersonalAccessTokensService } from './personal-access-tokens.service.js';
import type { AuthPrincipal } from './principal.js';

@ApiTags('Personal access tokens')
@ApiUnauthorizedResponse({ type: AppliveryErrorDto })
@Authenticated()
@Controller('v1/personal-access-tokens')
export class PersonalAccessTokensController {
  constructor(private readonly tokens: PersonalAccessTokensService) {}

  /** Creates a token for the caller; the token is in the answer this once. */
  @Post()
  @HttpCode(200)
  @ApiBadRequestResponse({ type: AppliveryErrorDto })
  async createPersonalAccessToken(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Body() dto: CreatePersonalAccessTokenDto,
  ): Promise<AppliveryOk<CreatedPersonalAccessTokenDto>> {
    const { entity, token } = await this.tokens.issue(principal, principal.userId, dto.name, dto.expiresAt);
    return appliveryOk({ ...mapPersonalAccessToken(entity), token });
  }

  /** The caller's tokens (never the tokens themselves). */
  @Get()
  async getPersonalAccessTokens(@CurrentPrincipal() principal: AuthPrincipal): Promise<AppliveryOk<PersonalAccessTokenDto[]>> {
    return appliveryOk((await this.tokens.list(principal.userId)).map(mapPersonalAccessToken));
  }

  /** Revokes one of the caller's tokens, effective on the next request. */
  @Delete(':id')
  @ApiNotFoundResponse({ type: AppliveryErrorDto })
  async revokePersonalAccessToken(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { id }: PersonalAccessTokenIdParam,
  ): Promise<AppliveryOk<PersonalAccessTokenDto>> {
    return appliveryOk(mapPersonalAccessToken(await this.tokens.revoke(principal, id, principal.userId)));
  }
}
