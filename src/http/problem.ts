import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { sqlState } from '../database/postgres-errors.js';
import { JsonBodyError } from './json-body.js';

/** What went wrong, independent of any wire format; each API's filter renders it in its envelope. */
export type ProblemKind =
  | 'validation'
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

/** Why authentication failed; SPEC §1 distinguishes these on the wire. */
export type AuthFailure = 'missing' | 'invalid' | 'expired';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  kind: ProblemKind;
  status: number;
  message: string;
  /** A wire-specific error code when the kind alone is not enough (e.g. OAuth's `unsupported_grant_type`). */
  code?: string;
  fields?: FieldError[];
  authFailure?: AuthFailure;
  retryAfterSeconds?: number;
}

const STATUS: Record<ProblemKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  bad_request: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  precondition_failed: HttpStatus.PRECONDITION_FAILED,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The one exception services and guards throw for an expected failure. Its message is
 * shown to the caller, so it must never carry a secret value or key material.
 */
export class AppError extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly extra: Pick<Problem, 'fields' | 'authFailure' | 'retryAfterSeconds' | 'code'> & {
      status?: number;
      /** Audit it as a refusal (`auth.denied`)? Defaults to true for unauthenticated and forbidden. */
      refusal?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  static validation(fields: FieldError[]) {
    return new AppError('validation', 'Validation Error', { fields });
  }
  static unauthenticated(authFailure: AuthFailure) {
    const message = { missing: 'No auth token', invalid: 'Invalid Token', expired: 'Token Expired' }[authFailure];
    return new AppError('unauthenticated', message, { authFailure });
  }
}

const KIND_BY_STATUS: Record<number, ProblemKind> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'bad_request',
  429: 'too_many_requests',
  503: 'unavailable',
};

const logger = new Logger('Errors');

/** Maps anything thrown while serving a request to a Problem. Unexpected errors are logged, never shown. */
export function toProblem(exception: unknown): Problem {
  if (exception instanceof AppError) {
    const { status, ...extra } = exception.extra;
    return { kind: exception.kind, status: status ?? STATUS[exception.kind], message: exception.message, ...extra };
  }
  if (exception instanceof JsonBodyError) {
    return { kind: 'validation', status: 400, message: 'Validation Error', fields: [{ field: 'body', message: exception.message }] };
  }
  // Nest's Fastify adapter wraps Fastify's own 4xx errors in an HttpException.
  const fastifyError = fastifyRequestError(exception instanceof HttpException ? exception.cause : exception);
  if (fastifyError) return fastifyError;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const kind = KIND_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request');
    const message = status === 404 ? 'Not found' : status >= 500 ? 'Internal Error' : exception.message;
    return { kind, status, message };
  }
  if (isDatabaseUnavailable(exception)) {
    logger.warn(`Database unavailable: ${describe(exception)}`);
    return { kind: 'unavailable', status: 503, message: 'Service temporarily unavailable' };
  }
  // SQLSTATE class 40 (deadlock, serialization failure): the transaction was rolled back and
  // the same request may succeed when retried. Logged as an error: it points at a locking bug.
  if (sqlState(exception)?.startsWith('40')) {
    logger.error(`Transaction rolled back by the database: ${describe(exception)}`);
    return { kind: 'unavailable', status: 503, message: 'Service temporarily unavailable' };
  }
  if (isDataException(exception)) {
    // SQLSTATE class 22 is PostgreSQL refusing a value, e.g. a NUL character (22021) in a
    // name taken from the path: the request's fault, not the service's. It answered 500.
    logger.warn(`Value refused by the database: ${describe(exception)}`);
    return { kind: 'bad_request', status: 400, message: 'The request contains a value that cannot be stored or searched (e.g. a NUL character)' };
  }
  // Only the error's class, code and message: query parameters may hold ciphertext or secrets.
  logger.error(`Unexpected error: ${describe(exception)}`);
  return { kind: 'internal', status: 500, message: 'Internal Error' };
}

/**
 * Fastify refuses some requests before any handler runs (body too large, a content type no
 * parser accepts, a malformed URL): its errors carry `code` FST_* and a 4xx `statusCode`.
 * Their messages are Fastify's own, so each is answered with one of ours.
 */
function fastifyRequestError(error: unknown): Problem | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_') || typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (statusCode === 413) return { kind: 'payload_too_large', status: 413, message: 'Request body is too large' };
  if (statusCode === 415) {
    return { kind: 'validation', status: 400, message: 'Validation Error', fields: [{ field: 'body', message: 'Unsupported Content-Type' }] };
  }
  return { kind: 'bad_request', status: 400, message: 'The request could not be read' };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return `${error.name}${code ? ` (${String(code)})` : ''}: ${error.message}`;
}

/** A PostgreSQL data exception (SQLSTATE class 22), directly or as TypeORM's driverError. */
function isDataException(error: unknown): boolean {
  return /^22[0-9A-Z]{3}$/.test(sqlState(error) ?? '');
}
