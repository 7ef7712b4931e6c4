import { AppliveryErrorDto } from './applivery-response.dto.js';
import { appliveryFormat } from './applivery.format.js';
import { apiErrorResponses, type ErrorSpec } from './error-responses.js';

/** `/v1` error responses (SPEC §2's code table) for the listed statuses, plus `default`. */
export const ApiAppliveryErrors = (...specs: ErrorSpec[]) =>
  apiErrorResponses(appliveryFormat, AppliveryErrorDto, {
    400: '3000 Validation Error; `error.data` lists `{field, message}`',
    401: '4002 No auth token, 4004 Invalid Token, 4005 Token Expired',
    403: '4003 Forbidden - You are not allowed to perform this action',
    404: '3001 Entity not found',
    409: '5001 Conflict',
    412: '5001 Conflict: `If-Match` names another version',
    413: '3000 Payload Too Large',
    429: '4003 Too Many Requests',
    default: '1000 Internal Error (500) or Service Unavailable (503)',
  }, specs);
