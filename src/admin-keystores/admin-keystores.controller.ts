import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../auth/auth.decorators.js';
import type { AuthPrincipal } from '../auth/principal.js';
import { chargeworxOk } from '../http/formats/chargeworx.format.js';
import { ApiChargeworxErrors } from '../http/formats/chargeworx.openapi.js';
import { CreateKeyStoreDto, GenerateKeyStoreDto, KeyStoreIdParam, KeyStoreQueryDto, UpdateKeyStoreDto } from './dto/key-store.dto.js';
import {
  ActualKeyStoreResponseDto,
  KeyStoreCommandResponseDto,
  KeyStoreEntryResponseDto,
  KeyStoreListResponseDto,
  RewrapResponseDto,
} from './dto/key-store-responses.dto.js';
import { KeyRingEntriesService } from './key-ring-entries.service.js';

@ApiTags('Admin: key ring (KeyStores)')
@ApiChargeworxErrors(401, 403)
@AdminOnly()
@Controller(['api/adm/KeyStores', 'api/admin/KeyStores'])
export class AdminKeyStoresController {
  constructor(private readonly entries: KeyRingEntriesService) {}

  /** Imports an AES key with activation and expiration dates (seed 002). */
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: KeyStoreCommandResponseDto })
  @ApiChargeworxErrors([400, 'code 400 BadRequest: bad key material, bad dates, duplicate material or activation date'])
  async createKeyStore(@CurrentPrincipal() principal: AuthPrincipal, @Body() dto: CreateKeyStoreDto): Promise<KeyStoreCommandResponseDto> {
    const id = await this.entries.createEntry(principal, dto);
    return chargeworxOk({ id, keystoreId: id });
  }

  /** Generates an AES key with a CSPRNG; the material is never returned. */
  @Post('generate')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyStoreCommandResponseDto })
  @ApiChargeworxErrors(400)
  async generateKeyStore(@CurrentPrincipal() principal: AuthPrincipal, @Body() dto: GenerateKeyStoreDto): Promise<KeyStoreCommandResponseDto> {
    const id = await this.entries.generateEntry(principal, dto);
    return chargeworxOk({ id, keystoreId: id });
  }

  /** Re-encrypts every stored value under the active entry. */
  @Post('rewrap')
  @HttpCode(200)
  @ApiOkResponse({ type: RewrapResponseDto })
  async rewrapKeyStores(@CurrentPrincipal() principal: AuthPrincipal): Promise<RewrapResponseDto> {
    return chargeworxOk(await this.entries.rewrap(principal));
  }

  /** The key ring, newest activation first; never key material. */
  @Get()
  @ApiOkResponse({ type: KeyStoreListResponseDto })
  @ApiChargeworxErrors(400)
  async getKeyStores(@Query() query: KeyStoreQueryDto): Promise<KeyStoreListResponseDto> {
    return chargeworxOk({ entries: await this.entries.listEntries(query) });
  }

  /** The entry in use now: activation ≤ now < expiration, not deleted; of several, the latest activation. */
  @Get('actual')
  @ApiOkResponse({ type: ActualKeyStoreResponseDto })
  @ApiChargeworxErrors([404, 'code 404 NotFound: Active KeyStore does not exist'])
  async getActualKeyStore(): Promise<ActualKeyStoreResponseDto> {
    return chargeworxOk({ entry: await this.entries.actualEntry() });
  }

  @Put(':id')
  @ApiOkResponse({ type: KeyStoreEntryResponseDto })
  @ApiChargeworxErrors(400, 404)
  async updateKeyStore(
    @CurrentPrincipal() principal: AuthPrincipal,
    @Param() { id }: KeyStoreIdParam,
    @Body() dto: UpdateKeyStoreDto,
  ): Promise<KeyStoreEntryResponseDto> {
    const entry = await this.entries.updateEntry(principal, id, dto);
    return chargeworxOk({ id, keystoreId: id, entry });
  }

  /** Soft delete; refused for the active entry and one that still protects values. */
  @Delete(':id')
  @ApiOkResponse({ type: KeyStoreCommandResponseDto })
  @ApiChargeworxErrors([400, 'code 400 BadRequest: the entry is active or still protects values'], 404)
  async deleteKeyStore(@CurrentPrincipal() principal: AuthPrincipal, @Param() { id }: KeyStoreIdParam): Promise<KeyStoreCommandResponseDto> {
    await this.entries.deleteEntry(principal, id);
    return chargeworxOk({ id, keystoreId: id });
  }
}
