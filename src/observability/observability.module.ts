import { Global, Module } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { createJsonLogger, JsonNestLogger } from './logger.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.js';

export const JSON_LOGGER = Symbol('JSON_LOGGER');

@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    Metrics,
    { provide: JSON_LOGGER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createJsonLogger(config.logLevel) },
    { provide: JsonNestLogger, inject: [JSON_LOGGER], useFactory: (logger: Pino) => new JsonNestLogger(logger) },
  ],
  exports: [Metrics, JSON_LOGGER],
})
export class ObservabilityModule {}
