import { describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../support/response-recorder.js';
import { documentPath, findResponseMismatches } from '../support/response-validation.js';

const entry = { key: 'feature-flags', data: {}, createdBy: '65a1f0c2e4b0a1b2c3d4e5f6', createdAt: '2026-01-01T12:00:00.000Z', updatedAt: '2026-01-01T12:00:00.000Z', version: 1 };

function response(overrides: Partial<RecordedResponse> & { json?: unknown }): RecordedResponse {
  const { json, ...rest } = overrides;
  return { method: 'GET', route: '/v1/key-store/:keyStoreKey', status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(json ?? { status: true, data: entry }), test: 'synthetic', ...rest };
}

// The validator that test/setup.ts runs after every file must not pass vacuously.
describe('response validation against openapi.json', () => {
  it('maps route templates and aliases to document paths', () => {
    expect(documentPath('/apiops/projects/:projectName/keys/:keyName/')).toBe('/apiops/projects/{projectName}/keys/{keyName}');
    expect(documentPath('/api/admin/KeyStores/:id')).toBe('/api/adm/KeyStores/{id}');
  });

  it('accepts responses that match their documented schema', () => {
    expect(findResponseMismatches([response({}), response({ status: 404, json: { status: false, error: { code: 3001, message: 'Entity not found' } } })])).toEqual([]);
  });

  it('reports a body that breaks the schema, an undocumented status and an undocumented route', () => {
    const mismatches = findResponseMismatches([
      response({ json: { status: true, data: { ...entry, createdBy: 'not-a-user-id' } } }),
      response({ status: 409 }),
      response({ route: '/v1/nowhere', status: 200 }),
      response({ status: 500, contentType: 'text/html' }),
    ]);
    expect(mismatches.map((m) => `${m.method} ${m.path} ${m.status}`)).toEqual([
      'GET /v1/key-store/{keyStoreKey} 200',
      'GET /v1/key-store/{keyStoreKey} 409',
      'GET /v1/nowhere 200',
      'GET /v1/key-store/{keyStoreKey} 500',
    ]);
    expect(mismatches[0]!.problem).toContain('/data/createdBy');
  });
});
