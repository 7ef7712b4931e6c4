import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defaultErrorFormat } from './default-error-format.js';
import { AppError, toProblem } from './problem.js';
import type { ErrorWireFormat } from './wire-format.js';

/**
 * The one global filter. It turns any exception into a Problem and hands it to the error
 * format of the API the path belongs to, so body-parsing failures and unknown routes under
 * /v1/key-store answer in that API's envelope too.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly formats: ErrorWireFormat[];

  /** `onRefusal` sees every refusal, to audit it. */
  constructor(
    formats: ErrorWireFormat[],
    private readonly onRefusal?: { isRefusal(error: AppError): boolean; record(req: FastifyRequest, error: AppError): Promise<void> },
  ) {
    // Longest prefix first so the most specific API wins.
    this.formats = [...formats, defaultErrorFormat].sort(
      (a, b) => Math.max(...b.pathPrefixes.map((p) => p.length)) - Math.max(...a.pathPrefixes.map((p) => p.length)),
    );
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Also called for errors Fastify's router raises before any route matched (a malformed URL). */
  answer(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const rendering = this.formatFor(req.url.split('?')[0]).render(toProblem(exception));
    const send = () => {
      if (reply.sent) {
        reply.raw.end();
        return;
      }
      reply.headers(rendering.headers ?? {});
      reply.status(rendering.status).send(rendering.body);
    };
    // A refusal is answered once it is on record (the recorder never throws).
    if (exception instanceof AppError && this.onRefusal?.isRefusal(exception)) void this.onRefusal.record(req, exception).then(send);
    else send();
  }

  private formatFor(path: string): ErrorWireFormat {
    // `//apiops/...` (baseUrl + "/" + path) is not routed, but its 404 is still that API's:
    // its clients parse only their envelope.
    const lower = path.replace(/\/{2,}/g, '/').toLowerCase();
    return this.formats.find((format) => format.pathPrefixes.some((prefix) => matchesPrefix(lower, prefix)))!;
  }
}

function matchesPrefix(path: string, prefix: string): boolean {
  const p = prefix.toLowerCase();
  return p === '/' || path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`);
}
