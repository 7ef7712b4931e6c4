import { ApiProperty } from '@nestjs/swagger';

/**
 * Answers of `/v1/key-store` (seeds 000/001). Named V1… so that they never collide in the
 * OpenAPI document with the Chargeworx `/api/adm/KeyStores` schemas (KeyStoreEntryDto, …).
 */
export class V1KeyStoreEntryDto {
  /** Unique identifier serving as the lookup key for retrieving and managing stored data. @example feature-flags */
  @ApiProperty({ maxLength: 128, pattern: '^(?!admin)[a-z][a-z0-9-_]+[a-z0-9]$' })
  key!: string;
  /** The stored JSON object. @example {"darkMode": true, "maxItems": 20} */
  data!: Record<string, unknown>;
  /** Id of the user who created the entry (24 hex digits; the seeds' pattern). @example 65a1f0c2e4b0a1b2c3d4e5f6 */
  @ApiProperty({ pattern: '^[a-fA-F0-9]{24}$' })
  createdBy!: string;
  /** @example 2026-01-01T12:00:00.000Z */
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  /** @example 2026-01-02T08:30:00.000Z */
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  /** 1 at creation, +1 on every change; also sent as the `ETag` header. @example 1 */
  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;
}

export class V1KeyStoreEntryResponseDto {
  /** @example true */
  status!: boolean;
  data!: V1KeyStoreEntryDto;
}

export class V1KeyStoreEntryPageDto {
  /** Entries in key order (byte order). */
  items!: V1KeyStoreEntryDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor!: string | null;
}

export class V1KeyStoreEntryPageResponseDto {
  /** @example true */
  status!: boolean;
  data!: V1KeyStoreEntryPageDto;
}
