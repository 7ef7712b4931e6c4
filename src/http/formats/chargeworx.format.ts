import type { Problem } from '../problem.js';
import type { ErrorRendering, ErrorWireFormat } from '../wire-format.js';
import { retryAfter } from './applivery.format.js';

/**
 * The Chargeworx admin envelope of everything under /api/adm (seed 002, SPEC §3):
 * `{success, code, errorMessage, ...}`, `code` being the enum
 * Unknown=0, Success=200, BadRequest=400, Unauthorized=401, NotFound=404, Error=500.
 */
export enum ChargeworxCode {
  Unknown = 0,
  Success = 200,
  BadRequest = 400,
  Unauthorized = 401,
  NotFound = 404,
  Error = 500,
}

export type ChargeworxOk<T extends object> = { success: true; code: ChargeworxCode.Success; errorMessage: null } & T;

export function chargeworxOk<T extends object>(payload: T): ChargeworxOk<T> {
  return { success: true, code: ChargeworxCode.Success, errorMessage: null, ...payload };
}

// The enum has no Forbidden/Conflict: the nearest member goes in `code`, the HTTP status stays exact.
const CODES: Record<Problem['kind'], ChargeworxCode> = {
  validation: ChargeworxCode.BadRequest,
  bad_request: ChargeworxCode.BadRequest,
  conflict: ChargeworxCode.BadRequest,
  precondition_failed: ChargeworxCode.BadRequest,
  payload_too_large: ChargeworxCode.BadRequest,
  too_many_requests: ChargeworxCode.BadRequest,
  unauthenticated: ChargeworxCode.Unauthorized,
  forbidden: ChargeworxCode.Unauthorized,
  not_found: ChargeworxCode.NotFound,
  unavailable: ChargeworxCode.Error,
  internal: ChargeworxCode.Error,
};

function errorMessage(problem: Problem): string {
  if (problem.kind === 'forbidden') return 'Forbidden - administrator rights are required';
  if (!problem.fields?.length) return problem.message;
  return `Validation failed: ${problem.fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`;
}

export const chargeworxFormat: ErrorWireFormat = {
  pathPrefixes: ['/api/adm', '/api/admin'],
  render(problem: Problem): ErrorRendering {
    return {
      status: problem.status,
      body: {
        success: false,
        code: CODES[problem.kind],
        errorMessage: errorMessage(problem),
        ...(problem.fields ? { validationErrors: problem.fields } : {}),
      },
      headers: retryAfter(problem),
    };
  },
};
