import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import metadata from '../metadata.js';

let metadataLoaded: Promise<void> | undefined;

/**
 * Builds the OpenAPI 3 document from the controllers and DTOs. Property schemas come from
 * src/metadata.ts, which the @nestjs/swagger plugin generates (`npm run openapi`), so the
 * compiled service and the SWC-compiled tests describe the API identically.
 */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  metadataLoaded ??= SwaggerModule.loadPluginMetadata(metadata);
  await metadataLoaded;
  const config = new DocumentBuilder()
    .setTitle('Keyward')
    .setDescription(
      'Self-hosted key and secret store. Three APIs, each in its original wire format: ' +
        '`/v1/key-store` (Applivery Keystore), `/api/adm/KeyStores` (Chargeworx admin key ring) and ' +
        '`/apiops/projects/{projectName}/...` (Apinizer API Ops keys). Send `Authorization: Bearer <token>`.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Access token from POST /oauth/token, or a personal access token' })
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
}

export async function setupOpenApi(app: INestApplication): Promise<void> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
