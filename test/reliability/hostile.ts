import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  hasBody: boolean;
  bodySchema?: Schema;
  query: string[];
  pathParams: string[];
}

export type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; $ref?: string; items?: Schema; enum?: unknown[] };

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));

function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.split('/').pop()!;
  return document.components.schemas[name];
}

/** Every operation of the committed OpenAPI document, health probes aside. */
export function operations(): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
    if (path.startsWith('/health')) continue;
    for (const [method, op] of Object.entries<any>(item)) {
      const params: { in: string; name: string }[] = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const schema = content['application/json']?.schema ?? content['application/x-www-form-urlencoded']?.schema;
      result.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        hasBody: Boolean(op.requestBody),
        bodySchema: resolve(schema),
        query: params.filter((p) => p.in === 'query').map((p) => p.name),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      });
    }
  }
  return result;
}

export function schemaProperties(schema: Schema | undefined): Record<string, Schema> {
  const properties: Record<string, Schema> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) properties[name] = resolve(property) ?? {};
  return properties;
}

/** Which envelope a path answers in (README, "Wire formats"). */
export function familyOf(path: string): 'applivery' | 'chargeworx' | 'apinizer' | 'oauth' | 'other' {
  const p = path.toLowerCase();
  if (p.startsWith('/oauth') || p.startsWith('/apiops/auth')) return 'oauth';
  if (p.startsWith('/v1')) return 'applivery';
  if (p.startsWith('/api/adm/') || p.startsWith('/api/admin/') || p === '/api/adm' || p === '/api/admin') return 'chargeworx';
  if (p.startsWith('/apiops')) return 'apinizer';
  return 'other';
}

// Stack frames, internal paths, driver and PostgreSQL error texts. (Not bare SQL keywords: the
// generators send those themselves and some refusals quote the offending name back.)
export const LEAKS =
  /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\/src\/|\w\.ts:\d|\w\.js:\d|QueryFailedError|syntax error at or near|violates [\w ]*constraint|duplicate key value|relation "|column "|invalid input syntax|invalid byte sequence|RangeError|TypeError|SyntaxError|"stack"/;

/** The assertion every hostile request must pass: a 4xx (never 5xx) in its module's envelope, nothing internal in it. */
export function expectCleanRefusal(path: string, res: { status: number; body: any; text?: string }, allowSuccess = false, context = '') {
  const where = `${context} → ${res.status} ${res.text?.slice(0, 300)}`;
  // A request line or headers over Node's 16 KiB limit are refused by the HTTP parser before
  // the app sees them: 431 with an empty body (documented in docs/RELIABILITY.md).
  if (res.status === 431 && !res.text) return;
  expect(res.status, where).toBeLessThan(500);
  if (!allowSuccess) expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.text ?? JSON.stringify(res.body), where).not.toMatch(LEAKS);
  if (res.status < 400 || res.status === 304) return;
  const body = res.body;
  switch (familyOf(path)) {
    case 'applivery':
      expect(body.status, where).toBe(false);
      expect(typeof body.error?.code, where).toBe('number');
      expect(typeof body.error?.message, where).toBe('string');
      break;
    case 'chargeworx':
      expect(body.success, where).toBe(false);
      expect(typeof body.code, where).toBe('number');
      expect(typeof body.errorMessage, where).toBe('string');
      break;
    case 'apinizer':
    case 'oauth':
      expect(typeof body.error, where).toBe('string');
      expect(typeof body.error_description, where).toBe('string');
      break;
    default:
      break;
  }
}
