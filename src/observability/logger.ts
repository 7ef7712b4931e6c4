import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as Pino } from 'pino';
import { currentRequestContext } from './request-context.js';

/** One JSON line per event; the request id is added from the request's async context. */
export function createJsonLogger(level: string): Pino {
  return pino({
    level,
    base: { service: 'keyward' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const requestId = currentRequestContext()?.requestId;
      return requestId ? { requestId } : {};
    },
  });
}

/** Routes Nest's own logging (bootstrap, exceptions) through the JSON logger. */
export class JsonNestLogger implements LoggerService {
  constructor(private readonly logger: Pino) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, traceOrContext?: string, context?: string) {
    this.logger.error({ context: context ?? traceOrContext }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
