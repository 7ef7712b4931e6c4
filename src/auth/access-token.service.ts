import { createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppError } from '../http/problem.js';

/** Keyward signs its own tokens with HS256 only; verification accepts nothing else. */
const ALGORITHM = 'HS256';
const ISSUER = 'keyward';
const AUDIENCE = 'keyward';
export const CLOCK_SKEW_SECONDS = 30;
/**
 * Our own claim: the user's secret version at issue. Rotation revokes by version, not by `iat`:
 * `iat` has one-second resolution and comes from the issuing instance's clock, so a token issued
 * before a rotation could look issued after it.
 */
const SECRET_VERSION_CLAIM = 'kw_sv';

function base64Url(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}

const SIGNED_HEADER = base64Url(JSON.stringify({ alg: ALGORITHM, typ: 'JWT' }));

export interface IssuedAccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface VerifiedAccessToken {
  userId: string;
  tokenId: string;
  /** The version of the user's secret that obtained the token (SECRET_VERSION_CLAIM). */
  secretVersion: unknown;
  expiresAt: number;
}

// Verified tokens remembered, oldest forgotten first: clients reuse one token for its hour.
const VERIFIED_CACHE_SIZE = 10_000;

@Injectable()
export class AccessTokenService {
  private readonly key: Uint8Array;
  /**
   * A token's signature and claims cannot change, so a successful verification holds until
   * the token expires (checked on every use). Revocation does not depend on this: the user row
   * (disabled, secret rotated) is checked on every request.
   */
  private readonly verified = new Map<string, VerifiedAccessToken>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = new Uint8Array(config.jwtSecret);
  }

  /**
   * Signed with node:crypto's HMAC rather than jose's SignJWT: jose signs through WebCrypto,
   * ~100 µs of CPU per token against ~4 (BENCHMARKS.md). The header is fixed; verification stays
   * with jose.
   */
  issue(userId: string, secretVersion: number): IssuedAccessToken & { tokenId: string } {
    const tokenId = randomUUID();
    const issuedAt = Math.floor(Date.now() / 1000);
    const claims = {
      sub: userId,
      iss: ISSUER,
      aud: AUDIENCE,
      jti: tokenId,
      iat: issuedAt,
      exp: issuedAt + this.config.tokenTtlSeconds,
      [SECRET_VERSION_CLAIM]: secretVersion,
    };
    const signingInput = `${SIGNED_HEADER}.${base64Url(JSON.stringify(claims))}`;
    const signature = createHmac('sha256', this.key).update(signingInput).digest('base64url');
    return { access_token: `${signingInput}.${signature}`, token_type: 'Bearer', expires_in: this.config.tokenTtlSeconds, tokenId };
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const known = this.verified.get(token);
    if (known && known.expiresAt + CLOCK_SKEW_SECONDS > Date.now() / 1000) return known;
    if (known) this.verified.delete(token);
    const result = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, result);
    return result;
  }

  private async verifySignature(token: string): Promise<VerifiedAccessToken> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      return { userId: payload.sub!, tokenId: payload.jti!, secretVersion: payload[SECRET_VERSION_CLAIM], expiresAt: payload.exp! };
    } catch (error) {
      throw AppError.unauthenticated(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}
