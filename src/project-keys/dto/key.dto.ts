import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { KEY_TYPES, type KeyType } from '../entities/project-key.entity.js';
import { ProjectNameParam } from './project.dto.js';

// Repeated as a literal in the decorators below: the swagger plugin only documents literal patterns.
const NAME_MESSAGE = { message: 'name must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit' };

/** One environment of a key: its content there, deployed to it (seed 003's "Key Environment Object"). */
export class CryptoKeyInfoEnvironmentDTO {
  /** The environment's name (not its id); must exist in the project. @example production */
  @ApiProperty({ minLength: 1 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  environmentName!: string;

  /**
   * Base64 of the key: the raw key bytes for SECRET_KEY (8, 16, 24 or 32 bytes); for
   * PRIVATE_KEY (unencrypted PKCS#8, PKCS#1, SEC1 or traditional DSA) and PUBLIC_KEY (SPKI or
   * PKCS#1) a PEM text of exactly one key block with only whitespace around it (an SEC1 key may
   * follow its curve's EC PARAMETERS block); the base64 may be line-wrapped as `base64` prints
   * it. Encrypted at rest; returned, as sent, only by deployed-keys.
   * @example q1nPo9m7bE7xOgh8xk0V1Q==
   */
  @ApiProperty({ minLength: 1, pattern: '^[A-Za-z0-9+/=\\s]+$' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(65536)
  content!: string;

  /** Optional identifier of the key in this environment; on update, omit it to keep the stored one. @example my-key-alias */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  alias?: string | null;
}

/** Seed 003's KeyCreateDTO. */
export class KeyCreateDTO {
  /** Unique in the project (case-insensitive). @example my-key */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, NAME_MESSAGE)
  name!: string;

  /** @example Key for API encryption */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /** SECRET_KEY (AES, DES, DESede), PRIVATE_KEY or PUBLIC_KEY (RSA, EC, Ed25519 …). @example PRIVATE_KEY */
  @IsIn(KEY_TYPES)
  keyType!: KeyType;

  /** The environments the key is stored for and deployed to at once (SECRETS:DEPLOY_UNDEPLOY when not empty). */
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CryptoKeyInfoEnvironmentDTO)
  cryptoKeyInfoEnvironmentList!: CryptoKeyInfoEnvironmentDTO[];
}

/** Partial update: every field optional. Each update makes a new version and redeploys it. */
export class KeyUpdateDTO {
  /** A new name (rename); must stay unique in the project. @example my-renamed-key */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, NAME_MESSAGE)
  name?: string;

  /** null clears it. @example Key for API encryption (rotated) */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  /** Changing the type needs new content for every environment the key has content in. @example SECRET_KEY */
  @IsOptional()
  @IsIn(KEY_TYPES)
  keyType?: KeyType;

  /** Environments whose content is set or added; each is deployed (SECRETS:DEPLOY_UNDEPLOY when not empty). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CryptoKeyInfoEnvironmentDTO)
  cryptoKeyInfoEnvironmentList?: CryptoKeyInfoEnvironmentDTO[];
}

export class KeyNameParams extends ProjectNameParam {
  /** A name that no key can have (NUL bytes, 5,000 characters) is refused before any lookup. @example my-key */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, NAME_MESSAGE)
  keyName!: string;
}

export class KeyEnvironmentParams extends KeyNameParams {
  /** @example production */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, NAME_MESSAGE)
  environmentName!: string;
}

export class EnvironmentNameParams extends ProjectNameParam {
  /** @example production */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, NAME_MESSAGE)
  environmentName!: string;
}
