import type { Problem } from '../problem.js';
import type { ErrorRendering, ErrorWireFormat } from '../wire-format.js';

/**
 * The Applivery envelope of everything under /v1 (seeds 000/001, SPEC §2):
 * `{status: true, data}` or `{status: false, error: {code, message, data?}}`.
 */
export interface AppliveryOk<T> {
  status: true;
  data: T;
}

export function appliveryOk<T>(data: T): AppliveryOk<T> {
  return { status: true, data };
}

const CODES: Record<Problem['kind'], { code: number; message?: string }> = {
  validation: { code: 3000, message: 'Validation Error' },
  bad_request: { code: 3000 },
  not_found: { code: 3001, message: 'Entity not found' },
  unauthenticated: { code: 4004 },
  forbidden: { code: 4003, message: 'Forbidden - You are not allowed to perform this action' },
  conflict: { code: 5001, message: 'Conflict' },
  precondition_failed: { code: 5001, message: 'Conflict' },
  // Not in the Applivery table: the validation family, with the HTTP status telling them apart.
  payload_too_large: { code: 3000, message: 'Payload Too Large' },
  too_many_requests: { code: 4003, message: 'Too Many Requests' },
  unavailable: { code: 1000, message: 'Service Unavailable' },
  internal: { code: 1000, message: 'Internal Error' },
};

const AUTH_CODES = { missing: 4002, invalid: 4004, expired: 4005 } as const;

export const appliveryFormat: ErrorWireFormat = {
  pathPrefixes: ['/v1'],
  render(problem: Problem): ErrorRendering {
    const mapped = CODES[problem.kind];
    const code = problem.authFailure ? AUTH_CODES[problem.authFailure] : mapped.code;
    const data = problem.fields;
    return {
      status: problem.status,
      body: {
        status: false,
        error: { code, message: mapped.message ?? problem.message, ...(data ? { data } : {}) },
      },
      headers: retryAfter(problem),
    };
  },
};

export function retryAfter(problem: Problem): Record<string, string> | undefined {
  return problem.retryAfterSeconds ? { 'Retry-After': String(problem.retryAfterSeconds) } : undefined;
}
