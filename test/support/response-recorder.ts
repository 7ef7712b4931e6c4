import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { expect } from 'vitest';

/** One response the app sent during a test, with the Express route that answered it. */
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

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * Records the responses `server` sends. It listens ahead of Express on the raw server, so it
 * sees every response — guards' and filters' refusals included — without changing the app.
 */
export function recordResponses(server: Server): void {
  server.prependListener('request', (req: RoutedRequest, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
    };
    const write = res.write;
    const end = res.end;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      collect(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      collect(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as typeof res.end;
    res.on('finish', () => {
      // Unrouted requests (unknown paths, body-parser failures before routing) have no route.
      const path = req.route?.path;
      if (typeof path !== 'string') return;
      recordedResponses.push({
        method: req.method ?? 'GET',
        route: `${req.baseUrl ?? ''}${path}`,
        status: res.statusCode,
        contentType: res.getHeader('content-type')?.toString(),
        body: Buffer.concat(chunks).toString('utf8'),
        test: expect.getState().currentTestName,
      });
    });
  });
}
