import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, uniqueName } from '../support/auth.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const OUTPUT = resolve('test/.generated/keyward-client');
const TSCONFIG = resolve('test/openapi/tsconfig.generated-client.json');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Mirrors client-flow.ts's input; that file is compiled only with the generated client. */
interface FlowInput {
  baseUrl: string;
  admin: { username: string; secret: string };
  names: { entryKey: string; project: string; environment: string; projectKey: string; member: string };
}

/** What a frontend team does: generate a client from the committed openapi.json, compile it, use it. */
describe('a client generated from openapi.json', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    rmSync(OUTPUT, { recursive: true, force: true });
    await createClient({ input: 'openapi.json', output: OUTPUT, plugins: ['@hey-api/client-fetch'], logs: { level: 'silent' } });
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(() => t?.close());

  it('type-checks together with a flow that uses its functions and types', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '-p', TSCONFIG], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output, 'the generated client or the flow does not compile').toBe('');
  }, 120_000);

  it('drives token, key store, key ring, project setup and project keys against the running app', async () => {
    const admin = await createUser(t, { isAdmin: true });
    // Imported at run time (and type-checked above, not by tsconfig.json): the client exists only once beforeAll generated it.
    const { runClientFlow } = (await import(resolve('test/openapi/client-flow.ts'))) as { runClientFlow(input: FlowInput): Promise<void> };
    await runClientFlow({
      baseUrl,
      admin: { username: admin.username, secret: admin.secret },
      names: {
        entryKey: uniqueName('flow-entry'),
        project: uniqueName('FlowProject'),
        environment: uniqueName('flow-env'),
        projectKey: uniqueName('flow-key'),
        member: uniqueName('flow-member'),
      },
    });
  });
});
