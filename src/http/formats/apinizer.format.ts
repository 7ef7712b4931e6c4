import type { Problem } from '../problem.js';
import type { ErrorRendering, ErrorWireFormat } from '../wire-format.js';
import { retryAfter } from './applivery.format.js';

/**
 * The Apinizer API Ops error shape of everything under /apiops (seeds 003/004, SPEC §4):
 * `{error, error_description}`, plus `validation_errors` for DTO failures.
 */
const CODES: Record<Problem['kind'], string> = {
  validation: 'validation_failed',
  bad_request: 'bad_request',
  conflict: 'bad_request',
  precondition_failed: 'bad_request',
  payload_too_large: 'bad_request',
  too_many_requests: 'too_many_requests',
  unauthenticated: 'invalid_token',
  forbidden: 'forbidden',
  not_found: 'not_found',
  unavailable: 'internal_error',
  internal: 'internal_error',
};

export const apinizerFormat: ErrorWireFormat = {
  pathPrefixes: ['/apiops'],
  render(problem: Problem): ErrorRendering {
    const error = problem.code ?? (problem.authFailure === 'expired' ? 'token_expired' : CODES[problem.kind]);
    const description =
      problem.kind === 'validation' ? 'Request validation failed' : problem.kind === 'forbidden' && !problem.message ? 'Forbidden' : problem.message;
    return {
      status: problem.status,
      body: {
        error,
        error_description: description,
        ...(problem.fields ? { validation_errors: problem.fields } : {}),
      },
      headers: retryAfter(problem),
    };
  },
};

/** `{success: true, resultList, resultCount}`: the Apinizer list answer. */
export function apinizerList<T>(items: T[]): { success: true; resultList: T[]; resultCount: number } {
  return { success: true, resultList: items, resultCount: items.length };
}

/** `{success: true, ...payload}`: the Apinizer single-object answer. */
export function apinizerOk<T extends object>(payload: T): { success: true } & T {
  return { success: true, ...payload };
}
