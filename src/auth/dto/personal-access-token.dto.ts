import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsInstant } from '../../http/instant.js';
import type { PersonalAccessTokenEntity } from '../entities/personal-access-token.entity.js';

export class CreatePersonalAccessTokenDto {
  /** What the token is for. @example ci-deploy */
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\u0000-\u001f]+$/, { message: 'name must not contain control characters' })
  name!: string;

  /** When the token stops working; omit for no expiry. @example 2027-01-01T00:00:00Z */
  @IsOptional()
  @IsInstant('expiresAt')
  expiresAt?: Date;
}

export class PersonalAccessTokenDto {
  /** @example 3fa85f64-5717-4562-b3fc-2c963f66afa6 */
  id!: string;
  /** @example ci-deploy */
  name!: string;
  /** The token's first characters, to tell tokens apart. @example kwp_Xy12Ab */
  hint!: string;
  createdAt!: string;
  expiresAt!: string | null;
  revokedAt!: string | null;
}

export class CreatedPersonalAccessTokenDto extends PersonalAccessTokenDto {
  /** The token: shown this once, never stored. @example kwp_Xy12AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 */
  token!: string;
}

/** `/v1` envelopes of the answers. */
export class PersonalAccessTokenResponseDto {
  /** @example true */
  status!: boolean;
  data!: PersonalAccessTokenDto;
}

export class CreatedPersonalAccessTokenResponseDto {
  /** @example true */
  status!: boolean;
  data!: CreatedPersonalAccessTokenDto;
}

export class PersonalAccessTokenListResponseDto {
  /** @example true */
  status!: boolean;
  data!: PersonalAccessTokenDto[];
}

export class PersonalAccessTokenIdParam {
  /** @example 3fa85f64-5717-4562-b3fc-2c963f66afa6 */
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'id must be a UUID' })
  id!: string;
}

export function mapPersonalAccessToken(token: PersonalAccessTokenEntity): PersonalAccessTokenDto {
  return {
    id: token.id,
    name: token.name,
    hint: token.tokenHint,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
