import { IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import { ENVIRONMENT_TYPES, type EnvironmentEntity, type EnvironmentType } from '../entities/environment.entity.js';

export class CreateEnvironmentDto {
  /** Unique in the project (case-insensitive). @example production */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @IsIn(ENVIRONMENT_TYPES)
  type!: EnvironmentType;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  description?: string;

  /**
   * Administrators only. Keyward POSTs a signed JSON notification here on every deployment and
   * undeployment of a key to this environment; the signing secret is in the creation answer.
   * @example https://gateway.example.com/keyward-hooks
   */
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'webhookUrl must be an http(s) URL without credentials' },
  )
  @MaxLength(2000)
  webhookUrl?: string;
}

export class EnvironmentDto {
  id!: string;
  name!: string;
  type!: EnvironmentType;
  description!: string | null;
  /** Where deployments are announced, or null. */
  webhookUrl!: string | null;
  createdAt!: string;
}

export class EnvironmentResponseDto {
  success!: boolean;
  environment!: EnvironmentDto;
}

export class CreatedEnvironmentResponseDto extends EnvironmentResponseDto {
  /**
   * With a webhookUrl: the secret keying the `X-Keyward-Signature` HMAC-SHA256 of each
   * notification (its text as given). Shown this once; Keyward stores it encrypted.
   */
  webhookSecret?: string;
}

export class EnvironmentListResponseDto {
  success!: boolean;
  resultList!: EnvironmentDto[];
  resultCount!: number;
}

export function mapEnvironment(environment: EnvironmentEntity): EnvironmentDto {
  return {
    id: environment.id,
    name: environment.name,
    type: environment.type,
    description: environment.description,
    webhookUrl: environment.webhookUrl,
    createdAt: environment.createdAt.toISOString(),
  };
}
