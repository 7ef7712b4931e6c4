import { Injectable } from '@nestjs/common';
import { AuditService, type AuditRecord } from '../audit/audit.service.js';
import { Sql } from '../database/sql.js';
import { asOneStatement, StatementParameters } from '../database/statement.js';
import { AppError } from '../http/problem.js';
import { AccessTokenService, type IssuedAccessToken } from './access-token.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { DECOY_SECRET_HASH, verifySecret } from './secret-hasher.js';
import { UsersService } from './users.service.js';

export interface ClientCredentials {
  grantType?: string;
  clientId?: string;
  clientSecret?: string;
  address: string;
}

/** The OAuth 2.0 client_credentials grant: client_id is the username, client_secret the user's secret. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokenService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    private readonly sql: Sql,
  ) {}

  async issueToken(credentials: ClientCredentials): Promise<IssuedAccessToken> {
    if (!credentials.grantType) throw new AppError('bad_request', 'grant_type is required', { code: 'invalid_request' });
    if (credentials.grantType !== 'client_credentials') {
      throw new AppError('bad_request', 'Only the client_credentials grant is supported', { code: 'unsupported_grant_type' });
    }
    const { clientId, clientSecret, address } = credentials;
    if (!clientId || !clientSecret) {
      throw new AppError('bad_request', 'client_id and client_secret are required', { code: 'invalid_request' });
    }
    // The attempted client id is recorded (it is not a secret); the attempted secret never is.
    const attempted = { clientId: clientId.slice(0, 128) };
    try {
      await this.throttle.beginAttempt(clientId, address);
    } catch (error) {
      await this.audit.recordAlone({ action: 'auth.login.throttled', resource: { type: 'user' }, outcome: 'denied', details: attempted });
      throw error;
    }
    const user = await this.users.findByUsername(clientId);
    // Unknown users cost a hash check too, so timing does not reveal which client ids exist.
    const secretMatches = await verifySecret(clientSecret, user?.secretHash ?? DECOY_SECRET_HASH);
    if (!user || !secretMatches || user.disabled) {
      await this.throttle.failed(address);
      await this.audit.recordAlone({ action: 'auth.login.failed', resource: { type: 'user', id: user?.id ?? null }, outcome: 'failure', details: attempted });
      // Recorded above as auth.login.failed, not as a refusal of a token.
      throw new AppError('unauthenticated', 'Bad credentials', { authFailure: 'invalid', refusal: false });
    }
    const { tokenId, ...issued } = this.accessTokens.issue(user.id, user.secretVersion);
    const issue: AuditRecord = {
      action: 'auth.token.issue',
      actor: { userId: user.id, tokenKind: 'jwt', tokenId },
      resource: { type: 'user', id: user.id },
      details: { expiresIn: issued.expires_in },
    };
    // No token leaves unless its issue is on record; the pair's count is cleared in the same
    // statement (one round trip and one commit instead of two).
    const parameters = new StatementParameters();
    const parts = [this.throttle.clearingPart(parameters, clientId, address), this.audit.insertEvents(parameters, [issue])];
    await this.sql.query(asOneStatement(parts), parameters.values);
    return issued;
  }
}
