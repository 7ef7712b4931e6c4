import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestContext {
  requestId: string;
  clientAddress?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being served, if any (log lines and audit events use it). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
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
 * Every response carries X-Request-Id. The context is entered right before the handler:
 * reading the body resumes in the socket's async context, so an earlier entry would not last.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('requestContext', undefined as unknown as RequestContext);
  fastify.addHook('onRequest', (request, reply, done) => {
    request.requestContext = contextOf(request);
    reply.header('X-Request-Id', request.requestContext.requestId);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => storage.run(request.requestContext, done));
}
