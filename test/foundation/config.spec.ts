import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseAppConfig } from '../../src/config/app-config.js';
import { startTestApp } from '../support/test-app.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const base = () => ({ KEYWARD_MASTER_KEY: KEY, KEYWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'kw-config-')) });

function errorFor(env: Record<string, string>): string {
  try {
    parseAppConfig({ ...base(), ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = parseAppConfig(base());
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', tokenTtlSeconds: 3600, keyStoreMaxDataBytes: 65536, corsOrigins: [], webhookTimeoutMs: 5000 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwtSecret.equals(config.masterKey)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ KEYWARD_MASTER_KEY: 'c2hvcnQ=' }, 'KEYWARD_MASTER_KEY'],
    [{ KEYWARD_MASTER_KEY: '!!not-base64!!' }, 'KEYWARD_MASTER_KEY'],
    [{ KEYWARD_TOKEN_TTL: '-5' }, 'KEYWARD_TOKEN_TTL'],
    [{ KEYWARD_BOOTSTRAP_ADMIN: 'no-colon' }, 'KEYWARD_BOOTSTRAP_ADMIN'],
    [{ KEYWARD_BOOTSTRAP_ADMIN: 'admin:short' }, 'KEYWARD_BOOTSTRAP_ADMIN'],
    [{ KEYWARD_BOOTSTRAP_ADMIN: 'admin:a-long-secret\t1' }, 'KEYWARD_BOOTSTRAP_ADMIN'],
    [{ KEYWARD_JWT_SECRET: 'too-short' }, 'KEYWARD_JWT_SECRET'],
    [{ KEYWARD_JWKS_URL: 'https://idp.example/jwks' }, 'KEYWARD_JWT_ISSUER'],
    [{ KEYWARD_JWT_ISSUER: 'https://idp.example/' }, 'KEYWARD_JWKS_URL'],
    [{ KEYWARD_CORS_ORIGINS: 'https://ok.example, https://bad.example/path' }, 'KEYWARD_CORS_ORIGINS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ KEYWARD_WORKERS: '2' }, 'KEYWARD_WORKERS'],
    [{ KEYWARD_WEBHOOK_TIMEOUT_MS: 'soon' }, 'KEYWARD_WEBHOOK_TIMEOUT_MS'],
    [{ KEYWARD_WEBHOOK_TIMEOUT_MS: '10' }, 'KEYWARD_WEBHOOK_TIMEOUT_MS'],
  ])('rejects %o naming %s', (env, variable) => {
    expect(errorFor(env)).toContain(variable);
  });

  it('never echoes a bad master key in the message', () => {
    const secret = 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    expect(errorFor({ KEYWARD_MASTER_KEY: secret })).not.toContain(secret);
  });

  it('requires the master key in production', () => {
    expect(errorFor({ NODE_ENV: 'production', KEYWARD_MASTER_KEY: '' })).toContain('KEYWARD_MASTER_KEY is required');
  });

  it('generates a development master key once and keeps it in the data directory', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kw-master-'));
    const first = parseAppConfig({ KEYWARD_DATA_DIR: dataDir });
    const second = parseAppConfig({ KEYWARD_DATA_DIR: dataDir });
    expect(first.masterKeyGenerated).toBe(true);
    expect(first.masterKey.length).toBe(32);
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(Buffer.from(readFileSync(join(dataDir, 'master.key'), 'utf8').trim(), 'base64').equals(first.masterKey)).toBe(true);
  });

  it('stops the app at start-up with the variable named', async () => {
    await expect(startTestApp({ KEYWARD_TOKEN_TTL: 'soon' })).rejects.toThrow(/KEYWARD_TOKEN_TTL/);
  });
});
