import { IsOptional, IsString, MaxLength } from 'class-validator';

/** RFC 6749 §4.4 client credentials request, form-encoded or JSON. */
export class TokenRequestDto {
  /** Must be `client_credentials`. @example client_credentials */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  grant_type?: string;

  /** The username. May be sent with HTTP Basic authentication instead. @example deploy-bot */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  /** The user's secret. May be sent with HTTP Basic authentication instead. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  client_secret?: string;

  /** Accepted and ignored: a token carries its user's permissions. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;
}

export class TokenResponseDto {
  access_token!: string;
  /** @example Bearer */
  token_type!: 'Bearer';
  /** Seconds until the token expires. @example 3600 */
  expires_in!: number;
}

export class OAuthErrorDto {
  /** @example unauthorized_client */
  error!: string;
  /** @example Bad credentials */
  error_description!: string;
}
