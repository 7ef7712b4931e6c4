import type { Problem } from './problem.js';
import type { ErrorRendering, ErrorWireFormat } from './wire-format.js';

/** For paths outside the three APIs (health, metrics, unknown routes). */
export const defaultErrorFormat: ErrorWireFormat = {
  pathPrefixes: ['/'],
  render(problem: Problem): ErrorRendering {
    return {
      status: problem.status,
      body: {
        statusCode: problem.status,
        error: problem.kind,
        message: problem.message,
        ...(problem.fields ? { errors: problem.fields } : {}),
      },
      headers: problem.retryAfterSeconds ? { 'Retry-After': String(problem.retryAfterSeconds) } : undefined,
    };
  },
};
