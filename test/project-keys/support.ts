import { createHmac, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { uniqueName, type TestUser } from '../support/auth.js';
import type { TestApp } from '../support/test-app.js';

export const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64');

/** A fresh RSA key pair as PEM texts (PKCS#8 private, SPKI public). */
export function rsaPems(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

/** Base64 of `bytes` random bytes: SECRET_KEY content. */
export const secretKey = (bytes = 32) => randomBytes(bytes).toString('base64');

export interface CreatedEnvironment {
  name: string;
  webhookSecret?: string;
}

export async function createEnvironment(
  t: TestApp,
  who: TestUser,
  project: string,
  options: { name?: string; webhookUrl?: string } = {},
): Promise<CreatedEnvironment> {
  const name = options.name ?? uniqueName('env');
  const res = await t.http
    .post(`/apiops/projects/${project}/environments/`)
    .set(who.auth)
    .send({ name, type: 'TEST', ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}) });
  if (res.status !== 200) throw new Error(`environment creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { name, webhookSecret: res.body.webhookSecret };
}

export function keyBody(name: string, keyType: string, environments: { environmentName: string; content: string; alias?: string }[]) {
  return { name, description: 'Key for API encryption', keyType, cryptoKeyInfoEnvironmentList: environments };
}

export const ok = (environmentNames: string[], verb: 'Deploy' | 'Undeploy' = 'Deploy') => ({
  success: true,
  deploymentResult: {
    success: true,
    message: `${verb}ment completed successfully`,
    environmentResults: environmentNames.map((environmentName) => ({ environmentName, success: true, message: `${verb}ed successfully` })),
  },
});

/** Every row of `tables` as JSON text (bytea as hex), to search for leaked plaintext. */
export async function tableDump(t: TestApp, tables: string[]): Promise<string> {
  const parts: string[] = [];
  for (const table of tables) {
    const rows: { row: string }[] = await t.db.query(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

/** The forms a key's plaintext could take in storage: as sent, decoded, and decoded as hex. */
export function plaintextForms(content: string): string[] {
  const decoded = Buffer.from(content, 'base64');
  const forms = [content, decoded.toString('hex')];
  const text = decoded.toString('utf8');
  // A PEM's body lines are distinctive; one of them is enough to spot a leak.
  const pemLine = text.split('\n').find((line) => line.length >= 40 && !line.startsWith('-----'));
  if (pemLine) forms.push(pemLine);
  return forms;
}

export function expectNoPlaintext(haystack: string, contents: string[]): void {
  for (const content of contents) {
    for (const form of plaintextForms(content)) expect(haystack).not.toContain(form);
  }
}

/** The README's receiver recipe: HMAC-SHA256 of the raw body under the secret, compared in constant time. */
export function verifySignature(secret: string, rawBody: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on 127.0.0.1 that records what it gets and answers `status` after `delayMs`. */
export class WebhookReceiver {
  /** Since the last reset(). */
  received: ReceivedWebhook[] = [];
  /** Since start. */
  readonly history: ReceivedWebhook[] = [];
  status = 200;
  delayMs = 0;
  /** Answers for the next requests, in order, before falling back to status/delayMs. */
  queue: { status: number; delayMs: number }[] = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body });
      this.history.push({ headers: req.headers, body });
      const { status, delayMs } = this.queue.shift() ?? this;
      const timer = setTimeout(() => res.writeHead(status, { 'Content-Type': 'text/plain' }).end('answer'), delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/keyward`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(status = 200, delayMs = 0): void {
    this.received = [];
    this.queue = [];
    this.status = status;
    this.delayMs = delayMs;
  }
}
