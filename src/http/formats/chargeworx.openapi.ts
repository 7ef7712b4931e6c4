import { ChargeworxErrorDto } from './chargeworx-response.dto.js';
import { chargeworxFormat } from './chargeworx.format.js';
import { apiErrorResponses, type ErrorSpec } from './error-responses.js';

/** `/api/adm` error responses (`success: false`, the nearest `code`) for the listed statuses, plus `default`. */
export const ApiChargeworxErrors = (...specs: ErrorSpec[]) =>
  apiErrorResponses(chargeworxFormat, ChargeworxErrorDto, {
    400: 'code 400 BadRequest; validation failures list `validationErrors`',
    401: 'code 401 Unauthorized: no, invalid or expired token',
    403: 'code 401 Unauthorized: administrator rights are required',
    404: 'code 404 NotFound',
    409: 'code 400 BadRequest: conflicts with an existing record',
    412: 'code 400 BadRequest: precondition failed',
    413: 'code 400 BadRequest: request too large',
    429: 'code 400 BadRequest: too many requests',
    default: 'code 500 Error (HTTP 500, or 503 while the database is unavailable)',
  }, specs);
