import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves interactive docs', async () => {
    const res = await t.http.get('/docs/').expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('offers try-it-out with a bearer token input that survives a reload', async () => {
    const init = (await t.http.get('/docs/swagger-ui-init.js').expect(200)).text;
    expect(init).toMatch(/"persistAuthorization":\s*true/);
    const document = (await t.http.get('/docs-json').expect(200)).body;
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('matches the committed openapi.json (run `npm run openapi` after changing the API)', async () => {
    const served = (await t.http.get('/docs-json').expect(200)).body;
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8'));
    expect(served).toEqual(committed);
  });

  it('has src/metadata.ts in step with the controllers and DTOs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-metadata-'));
    execFileSync(process.execPath, ['scripts/generate-swagger-metadata.mjs', dir], { stdio: 'pipe' });
    const inStep = readFileSync(join(dir, 'metadata.ts'), 'utf8') === readFileSync('src/metadata.ts', 'utf8');
    expect(inStep, 'src/metadata.ts is stale: run `npm run openapi`').toBe(true);
  }, 60_000);
});
