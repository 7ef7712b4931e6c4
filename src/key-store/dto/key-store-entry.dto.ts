import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsPageSize } from '../../http/page-size.js';

/**
 * The key rule of seeds 000/001 (their `^^` is a typo): a lowercase letter first, a letter or
 * digit last, at least three characters, and no key starting with "admin". The decorators
 * below repeat it as literals because the swagger plugin only documents literal arguments.
 */
export const KEY_PATTERN = /^(?!admin)[a-z][a-z0-9-_]+[a-z0-9]$/;
export const KEY_MAX_LENGTH = 128;
const KEY_RULE = {
  message: '$property must be 3-128 characters: a-z first, then a-z, 0-9, "-" or "_", ending with a-z or 0-9, and must not start with "admin"',
};

export class CreateKeyStoreEntryDto {
  /** Unique identifier serving as the lookup key for retrieving and managing stored data. @example feature-flags */
  @IsString()
  @MaxLength(128)
  @Matches(/^(?!admin)[a-z][a-z0-9-_]+[a-z0-9]$/, KEY_RULE)
  key!: string;

  /**
   * Stored value: a JSON object (not an array, not null) such as configuration settings, user
   * preferences or feature states. At most KEYWARD_KEYSTORE_MAX_DATA_BYTES (64 KiB) as JSON.
   * @example {"darkMode": true, "maxItems": 20}
   */
  @IsObject()
  data!: Record<string, unknown>;

  /** On an existing key, replace its `data` wholly instead of answering 409. Wins over `createOrUpdate`. */
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  /** On an existing key, shallow-merge `data` into the stored object instead of answering 409. */
  @IsOptional()
  @IsBoolean()
  createOrUpdate?: boolean;
}

export class UpdateKeyStoreEntryDto {
  /**
   * Top-level fields to set (shallow merge), or the whole new value with `force`. Omitted: the
   * entry is answered unchanged. @example {"maxItems": 50}
   */
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  /** Replace `data` wholly instead of merging, and ignore `If-Match`. */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class KeyStoreEntryKeyParam {
  /** The entry's key; the same rule as `key` on creation. @example feature-flags */
  @IsString()
  @MaxLength(128)
  @Matches(/^(?!admin)[a-z][a-z0-9-_]+[a-z0-9]$/, KEY_RULE)
  keyStoreKey!: string;
}

export class ListKeyStoreEntriesQueryDto {
  /** Only keys starting with this text. @example feature- */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[a-z0-9_-]*$/, { message: 'prefix may only contain a-z, 0-9, "-" and "_"' })
  prefix?: string;

  /** Entries per page, 1 to 100. @example 20 */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100 })
  @IsOptional()
  @IsPageSize(100)
  limit?: number;

  /** `nextCursor` of the previous page; omit for the first page. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,172}$/, { message: 'cursor is malformed' })
  cursor?: string;
}
