import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig, Env } from './config/app-config.js';
import { APP_CONFIG } from './config/config.module.js';
import { RefusalAuditor } from './audit/refusal-auditor.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { answerClientError } from './http/client-errors.js';
import { registerConditionalGet } from './http/conditional-get.js';
import { registerGracefulClose } from './http/graceful-close.js';
import { parseJsonBody } from './http/json-body.js';
import { createValidationPipe } from './http/validation.js';
import { JsonNestLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { JSON_LOGGER } from './observability/observability.module.js';
import { registerRequestContext } from './observability/request-context.js';
import { registerRequestLogging } from './observability/request-logging.js';
import { setupOpenApi } from './openapi/openapi.js';
import { ERROR_WIRE_FORMATS } from './wire-formats.js';

/**
 * Builds a fully configured, initialised (not yet listening) app. `env` overrides
 * process.env, so tests can run several instances with different settings in one process.
 * `observe` may add Fastify hooks before the app is sealed (tests record every response).
 */
export async function createApp(env: Env = {}, observe?: (fastify: FastifyInstance) => void): Promise<NestFastifyApplication> {
  let errorFilter: ApiExceptionFilter | undefined;
  const adapter = new FastifyAdapter({
    // As the original APIs (ASP.NET and Express routing): `/api/adm/keystores/` is `/api/adm/KeyStores`.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // On close, answer the requests still running (see registerGracefulClose; main.ts bounds
    // the wait). `true` cut them: a committed write went unanswered.
    forceCloseConnections: 'idle',
    // The router's own refusals (a malformed URL) answer in the path's API envelope too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => errorFilter!.answer(error, request, reply),
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(await AppModule.forRoot(env), adapter, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  try {
    errorFilter = await configureApp(app);
    observe?.(app.getHttpAdapter().getInstance());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/**
 * Fastify answers 414 before routing when a path parameter is longer than this; longer than
 * any valid name or key, so over-long ones reach the DTO rules and get the API's own 400.
 */
const MAX_PATH_PARAMETER_LENGTH = 8192;

async function configureApp(app: NestFastifyApplication): Promise<ApiExceptionFilter> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
  app.useLogger(app.get(JsonNestLogger));
  registerRequestContext(fastify);
  app.get(Metrics).register(fastify);
  registerRequestLogging(fastify, app.get<Pino>(JSON_LOGGER));
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        // Swagger UI at /docs needs its own inline styles and data: images; nothing else does.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  // helmet sets its headers on the Node response, which Fastify merges into every reply.
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  registerConditionalGet(fastify);
  registerGracefulClose(fastify);
  app.enableCors({
    // Only listed origins get CORS headers; an empty list means no browser origin is allowed.
    origin: (origin, callback) => callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['ETag', 'X-Request-Id'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    maxAge: 600,
  });
  app.useBodyParser('application/json', { bodyLimit: config.bodyLimitBytes }, async (_request: unknown, body: Buffer) => parseJsonBody(body));
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: config.bodyLimitBytes });
  app.useGlobalPipes(createValidationPipe());
  const errorFilter = new ApiExceptionFilter(ERROR_WIRE_FORMATS, app.get(RefusalAuditor));
  app.useGlobalFilters(errorFilter);
  await setupOpenApi(app);
  return errorFilter;
}

export type { INestApplication };
