import type { FastifyInstance } from 'fastify';

/**
 * With forceCloseConnections 'idle', closing answers the requests still running. Their
 * responses must end their connections: Node's server.close() reaps only the keep-alive sockets
 * idle at that moment, so one that was busy would hold the close until its keep-alive timeout.
 */
export function registerGracefulClose(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
