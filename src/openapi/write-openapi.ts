// Writes openapi.json from the compiled app without touching a database: Nest's preview mode
// resolves the module graph and controllers but instantiates no provider.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { buildOpenApiDocument } from './openapi.js';

const target = process.argv[2] ?? 'openapi.json';
const app = await NestFactory.create(
  await AppModule.forRoot({ DATABASE_URL: 'postgres://preview.invalid/keyward', KEYWARD_MASTER_KEY: Buffer.alloc(32).toString('base64') }),
  // The service's HTTP platform: without an adapter Nest looks for Express, which is not installed.
  new FastifyAdapter(),
  { preview: true, logger: false },
);
const document = await buildOpenApiDocument(app);
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
await app.close();
process.stdout.write(`Wrote ${target}\n`);
