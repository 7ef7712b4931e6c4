import type { FastifyReply } from 'fastify';

/**
 * Sends the answered entry's version as its `ETag` (`"3"`), the value `If-Match` takes back.
 * Called by the handlers rather than run as an interceptor: an interceptor takes each request
 * through an rxjs pipeline, which was ~5 % of the CPU of a GET.
 */
export function withEntryEtag<T extends { data: { version: number } }>(reply: FastifyReply, body: T): T {
  reply.header('ETag', `"${body.data.version}"`);
  return body;
}
