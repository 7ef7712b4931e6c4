import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ KEYWARD_CORS_ORIGINS: 'https://app.example.com', KEYWARD_BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('answers liveness and readiness', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    await t.http.get('/health/ready').expect(200, { status: 'ok', database: 'up' });
  });

  it('echoes a plain X-Request-Id and replaces a hostile one', async () => {
    const echoed = await t.http.get('/health/live').set('X-Request-Id', 'trace-123.abc');
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc');
    const replaced = await t.http.get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await t.http.get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers['x-request-id']).not.toBe(replaced.headers['x-request-id']);
  });

  it('answers unknown routes with a JSON 404 and no stack trace', async () => {
    const res = await t.http.get('/no/such/route').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ statusCode: 404, error: 'not_found', message: 'Not found' });
  });

  it('answers a path with repeated slashes with a 404 in the envelope of the API it names, not routed', async () => {
    // Clients joining baseUrl + "/" + path send these; they get their API's error shape.
    const apinizer = { error: 'not_found', error_description: 'Not found' };
    const chargeworx = { success: false, code: 404, errorMessage: 'Not found' };
    const cases: [string, string, object][] = [
      ['get', '//apiops/projects/P1/keys', apinizer],
      ['get', '///apiops/projects/P1/keys/', apinizer],
      ['get', '/apiops//projects/P1/keys', apinizer],
      ['get', '//v1/key-store/some-key', { status: false, error: { code: 3001, message: 'Entity not found' } }],
      ['get', '//api/adm/KeyStores', chargeworx],
      ['get', '//API/Admin//KeyStores/actual', chargeworx],
      ['post', '//oauth/token', { error: 'invalid_request', error_description: 'Not found' }],
      ['post', '//apiops/auth/token', { error: 'invalid_request', error_description: 'Not found' }],
    ];
    for (const [method, path, body] of cases) {
      const res = await (t.http as any)[method](path).expect(404);
      expect(res.body, path).toEqual(body);
    }
    // Outside the APIs, the default shape as before.
    expect((await t.http.get('//health/live').expect(404)).body).toEqual({ statusCode: 404, error: 'not_found', message: 'Not found' });
  });

  it('refuses bodies over the limit with 413 in the API envelope', async () => {
    const res = await t.http
      .post('/v1/key-store/')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ key: 'big', data: { filler: 'x'.repeat(4096) } }))
      .expect(413);
    expect(res.body).toMatchObject({ status: false, error: { code: 3000 } });
  });

  it('answers malformed JSON with 400 and no parser internals', async () => {
    const res = await t.http.post('/no/such/route').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(JSON.stringify(res.body)).not.toMatch(/at |node_modules|SyntaxError/);
  });

  it('sets security headers', async () => {
    const res = await t.http.get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await t.http.options('/health/live').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    // A browser app changes and deletes entries too: the preflight must allow those methods.
    const preflightPut = await t.http.options('/v1/key-store/k').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'PUT');
    expect(preflightPut.headers['access-control-allow-methods']?.split(/,\s*/)).toEqual(expect.arrayContaining(['PUT', 'PATCH', 'DELETE']));
    const refused = await t.http.options('/health/live').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes request counts and latency by route and status, plus process metrics', async () => {
    await t.http.get('/health/live');
    await t.http.get('/missing');
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live",status="200"\}/);
    expect(res.text).toContain('process_resident_memory_bytes');
  });
});
