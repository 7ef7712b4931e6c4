import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RecordedResponse } from './response-recorder.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Routes that are deliberately not part of the API contract. */
const UNDOCUMENTED_ROUTES = [/^\/docs/, /^\/metrics$/];
/** `/api/admin/...` is documented once, at its canonical `/api/adm/...` path. */
const PATH_ALIASES: [RegExp, string][] = [[/^\/api\/admin\//, '/api/adm/']];
const SKIPPED_METHODS = new Set(['HEAD', 'OPTIONS']);

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: object;
}

export interface ResponseMismatch {
  method: string;
  path: string;
  status: number;
  problem: string;
  test: string | undefined;
}

/** Route template `/a/:b/c` → OpenAPI `/a/{b}/c`, aliases resolved, no trailing slash. */
export function documentPath(route: string): string {
  let path = route.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/+$/, '') || '/';
  for (const [alias, canonical] of PATH_ALIASES) path = path.replace(alias, canonical);
  return path;
}

/**
 * Checks each recorded response against the committed openapi.json: the route and method are
 * documented, the status is documented (5xx may fall back to `default`), and a documented JSON
 * body matches its schema. Returns the mismatches, at most one per (method, path, status).
 */
export function findResponseMismatches(responses: RecordedResponse[], documentFile = 'openapi.json'): ResponseMismatch[] {
  const document = JSON.parse(readFileSync(documentFile, 'utf8')) as OpenApiDocument;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
  const validators = new Map<string, ValidateFunction>();
  const mismatches = new Map<string, ResponseMismatch>();

  for (const response of responses) {
    if (SKIPPED_METHODS.has(response.method) || UNDOCUMENTED_ROUTES.some((r) => r.test(response.route))) continue;
    const path = documentPath(response.route);
    const key = `${response.method} ${path} ${response.status}`;
    if (mismatches.has(key)) continue;
    const fail = (problem: string) => mismatches.set(key, { method: response.method, path, status: response.status, problem, test: response.test });

    const operation = document.paths[path]?.[response.method.toLowerCase()];
    if (!operation) {
      fail('route not in the document');
      continue;
    }
    const documented = operation.responses[String(response.status)] ?? (response.status >= 500 ? operation.responses.default : undefined);
    if (!documented) {
      fail(`status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
      continue;
    }
    const jsonSchema = documented.content?.['application/json']?.schema;
    if (!jsonSchema) continue;
    if (!/^application\/json\b/.test(response.contentType ?? '')) {
      fail(`documented as application/json, sent ${response.contentType ?? 'no content type'}`);
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      fail('body is not JSON');
      continue;
    }
    let validate = validators.get(key);
    if (!validate) {
      // The document's components travel with each schema so its `#/components/...` refs resolve.
      validate = ajv.compile({ allOf: [jsonSchema], components: document.components });
      validators.set(key, validate);
    }
    if (!validate(body)) {
      const error = validate.errors?.[0];
      fail(`body ${error?.instancePath || '(root)'} ${error?.message ?? 'invalid'} ${error?.params ? JSON.stringify(error.params) : ''} — ${response.body.slice(0, 300)}`);
    }
  }
  return [...mismatches.values()];
}
