import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';

/** Logs one line per answered request: never the query string, headers or body (they may hold secrets). */
export function registerRequestLogging(fastify: FastifyInstance, logger: Pino): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    logger.info(
      {
        requestId: request.requestContext?.requestId,
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
    done();
  });
}
