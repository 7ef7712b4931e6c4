import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestContext {
  requestId: string;
  clientAddress?: string;
  userAgent?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    requestContext: RequestContext;
  }
}

// A caller-supplied id is echoed only when it is short and plain, so it cannot inject log content.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function contextOf(request: FastifyRequest): RequestContext {
  const incoming = request.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  return { requestId, clientAddress: request.ip, userAgent: request.headers['user-agent']?.slice(0, 256) };
}

/**
 * Every response carries X-Request-Id. The context travels explicitly (on the principal, to
 * the audit trail): an AsyncLocalStorage would turn on Node's promise hooks for every promise,
 * 6-11 % of a GET's CPU (BENCHMARKS.md).
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('requestContext', undefined as unknown as RequestContext);
  fastify.addHook('onRequest', (request, reply, done) => {
    request.requestContext = contextOf(request);
    reply.header('X-Request-Id', request.requestContext.requestId);
    done();
  });
}
