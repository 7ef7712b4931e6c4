import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppError } from '../http/problem.js';
import { CLOCK_SKEW_SECONDS } from './access-token.service.js';

/** Asymmetric algorithms only: an HMAC token can never be checked against a public JWKS key. */
export const EXTERNAL_ALGORITHMS = ['RS256', 'ES256'];

/** JWTs from the configured OAuth 2.0 / OIDC issuer (KEYWARD_JWKS_URL), `sub` being a Keyward user id. */
@Injectable()
export class ExternalTokenVerifier {
  private readonly jwks?: JWTVerifyGetKey;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.externalIssuer) {
      this.jwks = createRemoteJWKSet(new URL(config.externalIssuer.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    }
  }

  get enabled(): boolean {
    return this.jwks !== undefined;
  }

  async verify(token: string): Promise<{ userId: string; tokenId?: string }> {
    const issuer = this.config.externalIssuer;
    if (!this.jwks || !issuer) throw AppError.unauthenticated('invalid');
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: EXTERNAL_ALGORITHMS,
        issuer: issuer.issuer,
        audience: issuer.audience,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['sub', 'exp'],
      });
      return { userId: payload.sub!, tokenId: payload.jti };
    } catch (error) {
      throw AppError.unauthenticated(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
  }
}
