import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig, Env } from './config/app-config.js';
import { APP_CONFIG } from './config/config.module.js';
import { RefusalAuditor } from './audit/refusal-auditor.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { rejectDeepJson } from './http/json-depth.js';
import { createValidationPipe } from './http/validation.js';
import { JsonNestLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { JSON_LOGGER } from './observability/observability.module.js';
import { requestContextMiddleware } from './observability/request-context.js';
import { requestLoggingMiddleware } from './observability/request-logging.js';
import { setupOpenApi } from './openapi/openapi.js';
import { ERROR_WIRE_FORMATS } from './wire-formats.js';

/**
 * Builds a fully configured, initialised (not yet listening) app. `env` overrides
 * process.env, so tests can run several instances with different settings in one process.
 */
export async function createApp(env: Env = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(env), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
    forceCloseConnections: true,
  });
  try {
    await configureApp(app);
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

async function configureApp(app: NestExpressApplication): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useLogger(app.get(JsonNestLogger));
  app.disable('x-powered-by');
  // Express would hash every JSON body for a weak ETag nobody uses; the key store sets its own.
  app.set('etag', false);
  app.use(requestContextMiddleware);
  app.use(app.get(Metrics).middleware);
  app.use(requestLoggingMiddleware(app.get<Pino>(JSON_LOGGER)));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI at /docs needs its own inline styles and data: images; nothing else does.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  app.enableCors({
    // Only listed origins get CORS headers; an empty list means no browser origin is allowed.
    origin: (origin, callback) => callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
    exposedHeaders: ['ETag', 'X-Request-Id'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    maxAge: 600,
  });
  // Nest reserves `verify` only for `rawBody: true` (not used here) and drops it from the type.
  app.useBodyParser('json', { limit: config.bodyLimitBytes, verify: rejectDeepJson } as { limit: number });
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(ERROR_WIRE_FORMATS, app.get(RefusalAuditor)));
  await setupOpenApi(app);
}

export type { INestApplication };
