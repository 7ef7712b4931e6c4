import { ApinizerErrorDto } from './apinizer-response.dto.js';
import { apinizerFormat } from './apinizer.format.js';
import { apiErrorResponses, type ErrorSpec } from './error-responses.js';

/** `/apiops` error responses (`{error, error_description}`) for the listed statuses, plus `default`. */
export const ApiApinizerErrors = (...specs: ErrorSpec[]) =>
  apiErrorResponses(
    apinizerFormat,
    ApinizerErrorDto,
    {
      400: '`bad_request`, or `validation_failed` with `validation_errors`',
      401: '`invalid_token` (no, malformed or revoked token) or `token_expired`',
      403: '`forbidden`',
      404: '`not_found`',
      409: '`bad_request`',
      412: '`bad_request`',
      413: '`bad_request`',
      429: '`too_many_requests`',
      default: '`internal_error` (HTTP 500, or 503 while the database is unavailable)',
    },
    specs,
    {
      // Seed 003's duplicate-name answer.
      400: { kind: 'bad_request', status: 400, message: 'Key (name: my-key) is already exist! Try update operation if want to change its value.' },
      404: { kind: 'not_found', status: 404, message: 'Project (name: MyProject) is not found or user does not have privilege to access it!' },
    },
  );
