import { OAuthErrorDto } from '../../auth/dto/token-request.dto.js';
import { apiErrorResponses, type ErrorSpec } from './error-responses.js';
import { oauthFormat } from './oauth.format.js';

/** RFC 6749 §5.2 token endpoint error responses for the listed statuses, plus `default`. */
export const ApiOAuthErrors = (...specs: ErrorSpec[]) =>
  apiErrorResponses(
    oauthFormat,
    OAuthErrorDto,
    {
      400: '`invalid_request` or `unsupported_grant_type`',
      401: '`unauthorized_client`: Bad credentials',
      403: '`invalid_request`',
      404: '`invalid_request`',
      409: '`invalid_request`',
      412: '`invalid_request`',
      413: '`invalid_request`',
      429: '`too_many_requests`: too many failed attempts; see `Retry-After`',
      default: '`server_error` (500) or `temporarily_unavailable` (503)',
    },
    specs,
    { 400: { kind: 'bad_request', status: 400, message: 'Only the client_credentials grant is supported', code: 'unsupported_grant_type' } },
  );
