import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as Pino } from 'pino';

/** One JSON line per event; request lines carry their request id (request-logging.ts). */
export function createJsonLogger(level: string): Pino {
  return pino({
    level,
    base: { service: 'keyward' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
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
