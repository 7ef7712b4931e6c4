import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import { appliveryOk } from '../http/formats/applivery.format.js';
import { AppliveryErrorDto } from '../http/formats/applivery-response.dto.js';
import { CreateKeyStoreEntryDto, KeyStoreEntryKeyParam, ListKeyStoreEntriesQueryDto, UpdateKeyStoreEntryDto } from './dto/key-store-entry.dto.js';
import { V1KeyStoreEntryPageResponseDto, V1KeyStoreEntryResponseDto } from './dto/key-store-entry-responses.dto.js';
import { EntryBody } from './entry-body.js';
import { EntryEtagInterceptor } from './entry-etag.interceptor.js';
import { KeyStoreService } from './key-store.service.js';

const ETAG = { ETag: { description: 'The entry\'s version, e.g. "3"; send it back in If-Match', schema: { type: 'string' } } };
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Only change the entry if its version is still this one ("3", 3, W/"3" or *); otherwise 412 with code 5001.',
};

@ApiTags('Key store')
@ApiUnauthorizedResponse({ type: AppliveryErrorDto, description: '4002 no token, 4004 invalid token, 4005 expired token' })
@ApiInternalServerErrorResponse({ type: AppliveryErrorDto, description: '1000 internal error' })
@Authenticated()
@Controller('v1/key-store')
export class KeyStoreController {
  constructor(private readonly keyStore: KeyStoreService) {}

  /** Creates an entry; on an existing key answers 409 unless `force` (replace) or `createOrUpdate` (shallow merge). */
  @Post()
  @HttpCode(200)
  @UseInterceptors(EntryEtagInterceptor)
  @ApiBody({ type: CreateKeyStoreEntryDto })
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiBadRequestResponse({ type: AppliveryErrorDto, description: '3000 validation error' })
  @ApiForbiddenResponse({ type: AppliveryErrorDto, description: '4003: `force`/`createOrUpdate` on an entry the caller did not create' })
  @ApiConflictResponse({ type: AppliveryErrorDto, description: '5001: the key exists' })
  @ApiPayloadTooLargeResponse({ type: AppliveryErrorDto, description: '`data` over the size limit' })
  async createKeyStoreEntry(@CurrentPrincipal() principal: AuthPrincipal, @EntryBody() dto: CreateKeyStoreEntryDto): Promise<V1KeyStoreEntryResponseDto> {
    return appliveryOk(await this.keyStore.createEntry(principal, dto));
  }

  /** Entries in key order, one page at a time (keyset pagination: stable while entries are added). */
  @Get()
  @ApiOkResponse({ type: V1KeyStoreEntryPageResponseDto })
  @ApiBadRequestResponse({ type: AppliveryErrorDto, description: '3000: bad prefix, limit or cursor' })
  async listKeyStoreEntries(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: ListKeyStoreEntriesQueryDto): Promise<V1KeyStoreEntryPageResponseDto> {
    return appliveryOk(await this.keyStore.listEntries(principal, query));
  }

  /** One entry. */
  @Get(':keyStoreKey')
  @UseInterceptors(EntryEtagInterceptor)
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiBadRequestResponse({ type: AppliveryErrorDto, description: '3000: the key breaks the key rule' })
  @ApiNotFoundResponse({ type: AppliveryErrorDto, description: '3001 entity not found' })
  async getKeyStoreEntry(@CurrentPrincipal() principal: AuthPrincipal, @Param() { keyStoreKey }: KeyStoreEntryKeyParam): Promise<V1KeyStoreEntryResponseDto> {
    return appliveryOk(await this.keyStore.getEntry(principal, keyStoreKey));
  }

  /** Shallow-merges `data` into the stored object, or replaces it with `force` (creator or admin). */
  @Put(':keyStoreKey')
  @UseInterceptors(EntryEtagInterceptor)
  @ApiBody({ type: UpdateKeyStoreEntryDto })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiBadRequestResponse({ type: AppliveryErrorDto, description: '3000 validation error' })
  @ApiForbiddenResponse({ type: AppliveryErrorDto, description: '4003: only the creator or an admin may change the entry' })
  @ApiNotFoundResponse({ type: AppliveryErrorDto, description: '3001 entity not found' })
  @ApiPreconditionFailedResponse({ type: AppliveryErrorDto, description: '5001: If-Match names another version (ignored with `force`)' })
  @ApiPayloadTooLargeResponse({ type: AppliveryErrorDto, description: 'the resulting `data` is over the size limit' })
  async updateKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { keyStoreKey }: KeyStoreEntryKeyParam,
    @EntryBody() dto: UpdateKeyStoreEntryDto,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return appliveryOk(await this.keyStore.updateEntry(principal, keyStoreKey, dto, ifMatch));
  }

  /** Deletes an entry (creator or admin) and answers with it as it was. */
  @Delete(':keyStoreKey')
  @UseInterceptors(EntryEtagInterceptor)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiBadRequestResponse({ type: AppliveryErrorDto, description: '3000: the key breaks the key rule' })
  @ApiForbiddenResponse({ type: AppliveryErrorDto, description: '4003: only the creator or an admin may delete the entry' })
  @ApiNotFoundResponse({ type: AppliveryErrorDto, description: '3001 entity not found' })
  @ApiPreconditionFailedResponse({ type: AppliveryErrorDto, description: '5001: If-Match names another version' })
  async deleteKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { keyStoreKey }: KeyStoreEntryKeyParam,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return appliveryOk(await this.keyStore.deleteEntry(principal, keyStoreKey, ifMatch));
  }
}
