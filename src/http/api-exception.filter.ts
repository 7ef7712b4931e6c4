import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { defaultErrorFormat } from './default-error-format.js';
import { AppError, toProblem } from './problem.js';
import type { ErrorWireFormat } from './wire-format.js';

/**
 * The one global filter. It turns any exception into a Problem and hands it to the error
 * format of the API the path belongs to, so body-parser failures and unknown routes under
 * /v1/key-store answer in that API's envelope too.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly formats: ErrorWireFormat[];

  /** `onRefusal` sees every refusal, to audit it. */
  constructor(
    formats: ErrorWireFormat[],
    private readonly onRefusal?: { isRefusal(error: AppError): boolean; record(req: Request, error: AppError): Promise<void> },
  ) {
    // Longest prefix first so the most specific API wins.
    this.formats = [...formats, defaultErrorFormat].sort(
      (a, b) => Math.max(...b.pathPrefixes.map((p) => p.length)) - Math.max(...a.pathPrefixes.map((p) => p.length)),
    );
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const rendering = this.formatFor(req.path).render(toProblem(exception));
    const send = () => {
      if (res.headersSent) {
        res.end();
        return;
      }
      for (const [name, value] of Object.entries(rendering.headers ?? {})) res.setHeader(name, value);
      res.status(rendering.status).json(rendering.body);
    };
    // A refusal is answered once it is on record (the recorder never throws).
    if (exception instanceof AppError && this.onRefusal?.isRefusal(exception)) void this.onRefusal.record(req, exception).then(send);
    else send();
  }

  private formatFor(path: string): ErrorWireFormat {
    const lower = path.toLowerCase();
    return this.formats.find((format) => format.pathPrefixes.some((prefix) => matchesPrefix(lower, prefix)))!;
  }
}

function matchesPrefix(path: string, prefix: string): boolean {
  const p = prefix.toLowerCase();
  return p === '/' || path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`);
}
