import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/** Whether an If-None-Match list names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function ifNoneMatchNames(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Conditional GET for every route that sends an ETag: a GET or HEAD whose If-None-Match names
 * the current tag is answered 304 without a body. A request's `Cache-Control: no-cache` is not
 * a reason to answer 200: it tells caches to revalidate (RFC 9111 §5.2.1.4), and browsers and
 * fetch add it to every request carrying If-None-Match, which would never see a 304.
 */
export function registerConditionalGet(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const etag = reply.getHeader('etag');
    const ifNoneMatch = request.headers['if-none-match'];
    const fresh =
      (request.method === 'GET' || request.method === 'HEAD') &&
      reply.statusCode >= 200 &&
      reply.statusCode < 300 &&
      typeof etag === 'string' &&
      typeof ifNoneMatch === 'string' &&
      ifNoneMatchNames(ifNoneMatch, etag);
    if (!fresh) return done(null, payload);
    reply.code(304).removeHeader('content-type').removeHeader('content-length');
    // Fastify's HEAD handler runs after this hook and reads the payload: null made it throw
    // (500), any other body makes it send a Content-Length; an empty stream it just drains.
    done(null, request.method === 'HEAD' ? Readable.from([]) : null);
  });
}
