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
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  return settleAliases(document);
}

/** `/api/admin/...` answers exactly as `/api/adm/...` (seed 002 uses both spellings). */
const ADMIN_ALIAS = { alias: '/api/admin/', canonical: '/api/adm/' };
/** Apinizer clients call the token endpoint under /apiops: a client of that API needs its own operation. */
const DISTINCT_ALIAS_OPERATIONS: Record<string, string> = { '/apiops/auth/token': 'issueApiOpsAccessToken' };

/**
 * Nest describes a route served at several paths once per path, with the operationIds
 * `name[0]`, `name[1]`. Generated clients need one stable, unique name per operation, so:
 * the `/api/admin` alias is dropped and named in its canonical operation's description (a
 * second, identical client function would be noise), while `/apiops/auth/token` stays as its
 * own operation because it belongs to another API (another tag, another client).
 */
function settleAliases(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (path.startsWith(ADMIN_ALIAS.alias)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      operation.operationId = DISTINCT_ALIAS_OPERATIONS[path] ?? operation.operationId.replace(/\[\d+\]$/, '');
      if (path.startsWith(ADMIN_ALIAS.canonical) && document.paths[path.replace(ADMIN_ALIAS.canonical, ADMIN_ALIAS.alias)]?.[method]) {
        const alias = path.replace(ADMIN_ALIAS.canonical, ADMIN_ALIAS.alias);
        operation.description = `${operation.description ? `${operation.description}\n\n` : ''}Also served at \`${alias}\`.`;
      }
    }
    paths[path] = item;
  }
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const id = item[method]?.operationId;
      if (!id) continue;
      if (seen.has(id)) throw new Error(`Duplicate operationId ${id}: ${seen.get(id)} and ${method.toUpperCase()} ${path}`);
      seen.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
  return { ...document, paths };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export async function setupOpenApi(app: INestApplication): Promise<void> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
