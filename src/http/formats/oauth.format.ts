import type { Problem } from '../problem.js';
import type { ErrorRendering, ErrorWireFormat } from '../wire-format.js';
import { retryAfter } from './applivery.format.js';

/** RFC 6749 §5.2 token endpoint errors, at /oauth/token and /apiops/auth/token (SPEC §1). */
export const oauthFormat: ErrorWireFormat = {
  pathPrefixes: ['/oauth', '/apiops/auth'],
  render(problem: Problem): ErrorRendering {
    if (problem.kind === 'unauthenticated') {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Bad credentials' } };
    }
    const error =
      problem.code ??
      ({ too_many_requests: 'too_many_requests', unavailable: 'temporarily_unavailable', internal: 'server_error' } as Record<string, string>)[problem.kind] ??
      'invalid_request';
    const description = problem.fields?.length ? problem.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : problem.message;
    return {
      status: problem.status,
      body: { error, error_description: description },
      headers: { 'Cache-Control': 'no-store', ...retryAfter(problem) },
    };
  },
};
