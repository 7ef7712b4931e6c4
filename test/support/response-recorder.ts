import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** One response the app sent during a test, with the route that answered it. */
export interface RecordedResponse {
  method: string;
  /** The matched route template, e.g. `/v1/key-store/:keyStoreKey`. */
  route: string;
  status: number;
  contentType: string | undefined;
  /** The raw body as sent. */
  body: string;
  test: string | undefined;
}

/** Every routed response of every app started in this test file (one module instance per file). */
export const recordedResponses: RecordedResponse[] = [];

/**
 * Records every routed response `fastify` sends, as the last step before it is written, so it
 * sees guards' and filters' refusals too, without changing the app.
 */
export function recordResponses(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Unrouted requests (unknown paths, bodies refused before routing) have no route.
    const route = request.routeOptions.url;
    if (route !== undefined) {
      recordedResponses.push({
        method: request.method,
        route,
        status: reply.statusCode,
        contentType: reply.getHeader('content-type')?.toString(),
        body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
        test: expect.getState().currentTestName,
      });
    }
    done(null, payload);
  });
}
