import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import { appliveryOk } from '../http/formats/applivery.format.js';
import { ApiAppliveryErrors } from '../http/formats/applivery.openapi.js';
import { CreateKeyStoreEntryDto, KeyStoreEntryKeyParam, ListKeyStoreEntriesQueryDto, UpdateKeyStoreEntryDto } from './dto/key-store-entry.dto.js';
import { V1KeyStoreEntryPageResponseDto, V1KeyStoreEntryResponseDto } from './dto/key-store-entry-responses.dto.js';
import { EntryBody } from './entry-body.js';
import { withEntryEtag } from './entry-etag.js';
import { KeyStoreService } from './key-store.service.js';

const ETAG = { ETag: { description: 'The entry\'s version, e.g. "3"; send it back in If-Match', schema: { type: 'string' } } };
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Only change the entry if its version is still this one ("3", 3, W/"3" or *); otherwise 412 with code 5001.',
};

@ApiTags('Key store')
@ApiAppliveryErrors(401)
@Authenticated()
@Controller('v1/key-store')
export class KeyStoreController {
  constructor(private readonly keyStore: KeyStoreService) {}

  /** Creates an entry; on an existing key answers 409 unless `force` (replace) or `createOrUpdate` (shallow merge). */
  @Post()
  @HttpCode(200)
  @ApiBody({ type: CreateKeyStoreEntryDto })
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiAppliveryErrors(
    400,
    [403, '4003: `force`/`createOrUpdate` on an entry the caller did not create'],
    [409, '5001: the key exists (or too many concurrent writers; retry)'],
    [413, '3000: `data` over the size limit'],
  )
  async createKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @EntryBody() dto: CreateKeyStoreEntryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return withEntryEtag(reply, appliveryOk(await this.keyStore.createEntry(principal, dto)));
  }

  /** Entries in key order, one page at a time (keyset pagination: stable while entries are added). */
  @Get()
  @ApiOkResponse({ type: V1KeyStoreEntryPageResponseDto })
  @ApiAppliveryErrors([400, '3000: bad prefix, limit or cursor'])
  async listKeyStoreEntries(@CurrentPrincipal() principal: AuthPrincipal, @Query() query: ListKeyStoreEntriesQueryDto): Promise<V1KeyStoreEntryPageResponseDto> {
    return appliveryOk(await this.keyStore.listEntries(principal, query));
  }

  /** One entry. */
  @Get(':keyStoreKey')
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiResponse({ status: 304, description: 'Not Modified: `If-None-Match` names the current version (no body)' })
  @ApiAppliveryErrors([400, '3000: the key breaks the key rule'], 404)
  async getKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { keyStoreKey }: KeyStoreEntryKeyParam,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return withEntryEtag(reply, appliveryOk(await this.keyStore.getEntry(principal, keyStoreKey)));
  }

  /** Shallow-merges `data` into the stored object, or replaces it with `force` (creator or admin). */
  @Put(':keyStoreKey')
  @ApiBody({ type: UpdateKeyStoreEntryDto })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiAppliveryErrors(
    400,
    [403, '4003: only the creator or an admin may change the entry'],
    404,
    [409, '5001: too many concurrent writers; retry'],
    [412, '5001: If-Match names another version (ignored with `force`)'],
    [413, '3000: the resulting `data` is over the size limit'],
  )
  async updateKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { keyStoreKey }: KeyStoreEntryKeyParam,
    @EntryBody() dto: UpdateKeyStoreEntryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return withEntryEtag(reply, appliveryOk(await this.keyStore.updateEntry(principal, keyStoreKey, dto, ifMatch)));
  }

  /** Deletes an entry (creator or admin) and answers with it as it was. */
  @Delete(':keyStoreKey')
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: V1KeyStoreEntryResponseDto, headers: ETAG })
  @ApiAppliveryErrors(
    [400, '3000: the key breaks the key rule'],
    [403, '4003: only the creator or an admin may delete the entry'],
    404,
    [409, '5001: too many concurrent writers; retry'],
    [412, '5001: If-Match names another version'],
  )
  async deleteKeyStoreEntry(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { keyStoreKey }: KeyStoreEntryKeyParam,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<V1KeyStoreEntryResponseDto> {
    return withEntryEtag(reply, appliveryOk(await this.keyStore.deleteEntry(principal, keyStoreKey, ifMatch)));
  }
}
