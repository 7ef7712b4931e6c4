import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';

/** Logs one line per answered request: never the query string, headers or body (they may hold secrets). */
export function requestLoggingMiddleware(logger: Pino) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          durationMs: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100,
        },
        'request',
      );
    });
    next();
  };
}
