import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsInstant, IsInstantText } from '../../http/instant.js';

/** The dates and description every new key-ring entry takes. */
export class KeyStoreScheduleDto {
  /** When the entry starts encrypting new values. @example 2024-01-01T00:00:00Z */
  @ApiProperty({ format: 'date-time' })
  @IsInstant('activationDate')
  activationDate!: Date;

  /** When it stops encrypting new values; it keeps decrypting what it protects. @example 2024-12-31T23:59:59Z */
  @ApiProperty({ format: 'date-time' })
  @IsInstant('expirationDate')
  expirationDate!: Date;

  /** @example Q1 2024 Encryption Key */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class CreateKeyStoreDto extends KeyStoreScheduleDto {
  /** Base64-encoded AES key: 16, 24 or 32 bytes (AES-128/192/256). Never returned by any endpoint. @example q1nPo9m7bE7xOgh8xk0V1aLQbo5P4Bb3bNfJrHkz+3s= */
  @ApiProperty({ pattern: '^[A-Za-z0-9+/]+={0,2}$' })
  @IsString()
  @MaxLength(64)
  key!: string;
}

export class GenerateKeyStoreDto extends KeyStoreScheduleDto {
  /** Key size; the key is made with a CSPRNG and never returned. @example 256 */
  @IsOptional()
  @IsIn([128, 192, 256])
  bits?: 128 | 192 | 256;
}

export class UpdateKeyStoreDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** @example 2025-06-30T00:00:00Z */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant('expirationDate')
  expirationDate?: Date;

  /** Only while the entry is still Scheduled. @example 2025-01-01T00:00:00Z */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant('activationDate')
  activationDate?: Date;
}

export class KeyStoreQueryDto {
  /** One entry by id. */
  @IsOptional()
  @IsUUID('all', { message: 'id must be a UUID' })
  id?: string;

  /** true: only the entry in use now; false: all others. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'isActive must be true or false' })
  isActive?: boolean;

  /** Entries activating at this instant, or on this UTC day when only a date is given. @example 2024-01-01 */
  @IsOptional()
  @IsInstantText('activationDate')
  activationDate?: string;
}

export class KeyStoreIdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}
