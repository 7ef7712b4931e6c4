import { applyDecorators, type Type } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { Problem } from '../problem.js';
import type { ErrorWireFormat } from '../wire-format.js';

/** The error statuses a route can document; 500/503 are the `default` response of every route. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 429;
/** A status, or a status with what it means on this route. */
export type ErrorSpec = ErrorStatus | [ErrorStatus, string];

export type ErrorDescriptions = Record<ErrorStatus | 'default', string>;

/** What each status typically carries; each format renders it into its own example body. */
const SAMPLE_PROBLEMS: Record<ErrorStatus | 'default', Problem> = {
  400: { kind: 'validation', status: 400, message: 'Validation Error', fields: [{ field: 'name', message: 'name must be a string' }] },
  401: { kind: 'unauthenticated', status: 401, message: 'No auth token', authFailure: 'missing' },
  403: { kind: 'forbidden', status: 403, message: '' },
  404: { kind: 'not_found', status: 404, message: 'Not found' },
  409: { kind: 'conflict', status: 409, message: 'Conflict' },
  412: { kind: 'precondition_failed', status: 412, message: 'Conflict' },
  413: { kind: 'payload_too_large', status: 413, message: 'Payload Too Large' },
  429: { kind: 'too_many_requests', status: 429, message: 'Too many failed login attempts; try again later', retryAfterSeconds: 60 },
  default: { kind: 'internal', status: 500, message: 'Internal Error' },
};

/**
 * Documents the listed error statuses, plus `default` (500/503), with one API's error envelope.
 * The examples are rendered by the format itself, so they show exactly what the filter sends.
 */
export function apiErrorResponses(
  format: ErrorWireFormat,
  type: Type<unknown>,
  descriptions: ErrorDescriptions,
  specs: ErrorSpec[],
  samples: Partial<Record<ErrorStatus | 'default', Problem>> = {},
): MethodDecorator & ClassDecorator {
  const example = (status: ErrorStatus | 'default') => format.render(samples[status] ?? SAMPLE_PROBLEMS[status]).body;
  return applyDecorators(
    ...specs.map((spec) => {
      const [status, description] = Array.isArray(spec) ? spec : [spec, descriptions[spec]];
      return ApiResponse({ status, type, description, example: example(status) });
    }),
    ApiResponse({ status: 'default', type, description: descriptions.default, example: example('default') }),
  );
}
