import { Injectable } from '@nestjs/common';
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
    await this.throttle.beginAttempt(clientId, address);
    const user = await this.users.findByUsername(clientId);
    // Unknown users cost a hash check too, so timing does not reveal which client ids exist.
    const secretMatches = await verifySecret(clientSecret, user?.secretHash ?? DECOY_SECRET_HASH);
    if (!user || !secretMatches || user.disabled) throw AppError.unauthenticated('invalid');
    await this.throttle.succeeded(clientId, address);
    const { tokenId: _tokenId, ...issued } = await this.accessTokens.issue(user.id);
    return issued;
  }
}
