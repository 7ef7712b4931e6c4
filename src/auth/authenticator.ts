import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { Sql } from '../database/sql.js';
import { AppError } from '../http/problem.js';
import { AccessTokenService } from './access-token.service.js';
import { EXTERNAL_ALGORITHMS, ExternalTokenVerifier } from './external-token.verifier.js';
import { IdentityCache } from './identity-cache.js';
import { hashPersonalAccessToken, PAT_PREFIX } from './personal-access-tokens.service.js';
import type { AuthPrincipal } from './principal.js';

interface PrincipalRow {
  id: string;
  username: string;
  is_admin: boolean;
  disabled: boolean;
  secret_version: number;
}

/**
 * Turns an Authorization header into a principal, whatever kind of token it carries.
 * The user (and token) row comes from the IdentityCache, which every change invalidates on
 * commit, so a disabled user or a revoked token is refused on every instance at once.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly sql: Sql,
    private readonly accessTokens: AccessTokenService,
    private readonly externalTokens: ExternalTokenVerifier,
    private readonly cache: IdentityCache,
  ) {}

  async authenticate(authorization: string | undefined): Promise<AuthPrincipal> {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    // "Bearer" alone names the scheme but carries no token: missing (SPEC §1), not malformed.
    if (!authorization?.trim() || /^Bearer\s*$/i.test(authorization)) throw AppError.unauthenticated('missing');
    if (!match) throw AppError.unauthenticated('invalid');
    const token = match[1];
    if (token.startsWith(PAT_PREFIX)) return this.fromPersonalAccessToken(token);
    return this.fromJwt(token);
  }

  private async fromPersonalAccessToken(token: string): Promise<AuthPrincipal> {
    const hash = hashPersonalAccessToken(token);
    const row = await this.cache.get(
      `pat:${hash.toString('hex')}`,
      (found) => [`pat:${found!.token_id}`, `user:${found!.id}`],
      async () => {
        const rows = await this.sql.query<PrincipalRow & { token_id: string; expires_at: Date | null; revoked: boolean }>(
          `SELECT u.id, u.username, u.is_admin, u.disabled, t.id AS token_id, t.expires_at, t.revoked_at IS NOT NULL AS revoked
             FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = $1`,
          [hash],
        );
        return rows[0];
      },
    );
    if (!row || row.revoked || row.disabled) throw AppError.unauthenticated('invalid');
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) throw AppError.unauthenticated('expired');
    return { userId: row.id, username: row.username, isAdmin: row.is_admin, tokenKind: 'pat', tokenId: row.token_id };
  }

  private async fromJwt(token: string): Promise<AuthPrincipal> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw AppError.unauthenticated('invalid');
    }
    if (alg === 'HS256') {
      const verified = await this.accessTokens.verify(token);
      const user = await this.loadUser(verified.userId);
      // Rotating a secret revokes every token issued before it, however close in time. A token
      // without the claim (issued before versions existed) is refused: its user logs in again.
      if (verified.secretVersion !== user.secret_version) throw AppError.unauthenticated('invalid');
      return { userId: user.id, username: user.username, isAdmin: user.is_admin, tokenKind: 'jwt', tokenId: verified.tokenId };
    }
    if (alg && EXTERNAL_ALGORITHMS.includes(alg) && this.externalTokens.enabled) {
      const verified = await this.externalTokens.verify(token);
      const user = await this.loadUser(verified.userId);
      return { userId: user.id, username: user.username, isAdmin: user.is_admin, tokenKind: 'external', tokenId: verified.tokenId };
    }
    throw AppError.unauthenticated('invalid');
  }

  private async loadUser(userId: string): Promise<PrincipalRow> {
    if (!/^[a-f0-9]{24}$/.test(userId)) throw AppError.unauthenticated('invalid');
    const user = await this.cache.get(
      `user:${userId}`,
      () => [`user:${userId}`],
      async () => {
        const rows = await this.sql.query<PrincipalRow>(
          'SELECT id, username, is_admin, disabled, secret_version FROM users WHERE id = $1',
          [userId],
        );
        return rows[0];
      },
    );
    if (!user || user.disabled) throw AppError.unauthenticated('invalid');
    return user;
  }
}
