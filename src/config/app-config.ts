import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIN_SECRET_LENGTH, SECRET_CONTROL_CHARACTER, USERNAME_PATTERN } from '../auth/identity-rules.js';

/** Everything the service reads from its environment, validated once at start-up. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  /** Unset: the service runs an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  databasePoolSize: number;
  /** HTTP worker processes (node:cluster); they share nothing but the database. */
  workers: number;
  dataDir: string;
  masterKey: Buffer;
  /** True when the master key was generated into `dataDir` rather than configured. */
  masterKeyGenerated: boolean;
  jwtSecret: Buffer;
  tokenTtlSeconds: number;
  externalIssuer?: { jwksUrl: string; issuer: string; audience: string };
  bootstrapAdmin?: { username: string; secret: string };
  corsOrigins: string[];
  bodyLimitBytes: number;
  keyStoreMaxDataBytes: number;
  loginThrottle: { maxFailuresPerClient: number; maxFailuresPerAddress: number; windowSeconds: number };
  keyRing: { cacheSeconds: number; rewrapIntervalSeconds: number; expiryWarningDays: number };
  /** How long a caller's user/token row and grants may be cached (invalidated by NOTIFY); 0 = never. */
  authCacheSeconds: number;
  /** How often committed audit events are sealed into the hash chain; 0 = only on demand. */
  auditSealIntervalMs: number;
  /** How long a project-key deployment waits for an environment's webhook to answer 2xx. */
  webhookTimeoutMs: number;
  logLevel: string;
}

export type Env = Record<string, string | undefined>;

/** A bad configuration value; the message names the variable so an operator can fix it. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Strict base64 of exactly 32 bytes; the message never echoes the value (it is a secret). */
export function decodeMasterKey(value: string, variable = 'KEYWARD_MASTER_KEY'): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new ConfigError(variable, 'must be base64 (32 random bytes, e.g. `openssl rand -base64 32`)');
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ConfigError(variable, `must decode to 32 bytes, got ${key.length}`);
  return key;
}

function resolveMasterKey(env: Env, nodeEnv: string, dataDir: string): { key: Buffer; generated: boolean } {
  const configured = nonEmpty(env, 'KEYWARD_MASTER_KEY');
  if (configured) return { key: decodeMasterKey(configured), generated: false };
  if (nodeEnv === 'production') throw new ConfigError('KEYWARD_MASTER_KEY', 'is required when NODE_ENV=production');
  // Development convenience: one key per data directory, kept beside the embedded database.
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) return { key: decodeMasterKey(readFileSync(file, 'utf8'), file), generated: true };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, generated: true };
}

function parseDatabaseUrl(env: Env): string | undefined {
  const url = nonEmpty(env, 'DATABASE_URL');
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a valid URL (expected postgres://user@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use the postgres:// scheme, got "${parsed.protocol}"`);
  }
  return url;
}

function parseExternalIssuer(env: Env): AppConfig['externalIssuer'] {
  const jwksUrl = nonEmpty(env, 'KEYWARD_JWKS_URL');
  const issuer = nonEmpty(env, 'KEYWARD_JWT_ISSUER');
  const audience = nonEmpty(env, 'KEYWARD_JWT_AUDIENCE');
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl) throw new ConfigError('KEYWARD_JWKS_URL', 'is required when KEYWARD_JWT_ISSUER or KEYWARD_JWT_AUDIENCE is set');
  try {
    const parsed = new URL(jwksUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    throw new ConfigError('KEYWARD_JWKS_URL', 'must be an http(s) URL');
  }
  // An external token is only trusted when both claims are pinned exactly.
  if (!issuer) throw new ConfigError('KEYWARD_JWT_ISSUER', 'is required when KEYWARD_JWKS_URL is set');
  if (!audience) throw new ConfigError('KEYWARD_JWT_AUDIENCE', 'is required when KEYWARD_JWKS_URL is set');
  return { jwksUrl, issuer, audience };
}

function parseBootstrapAdmin(env: Env): AppConfig['bootstrapAdmin'] {
  const raw = nonEmpty(env, 'KEYWARD_BOOTSTRAP_ADMIN');
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(':');
  const username = colon > 0 ? raw.slice(0, colon) : '';
  const secret = colon > 0 ? raw.slice(colon + 1) : '';
  if (!USERNAME_PATTERN.test(username)) {
    throw new ConfigError('KEYWARD_BOOTSTRAP_ADMIN', 'must be "username:secret" with a username of 2-64 letters, digits, ".", "_", "@" or "-"');
  }
  if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError('KEYWARD_BOOTSTRAP_ADMIN', 'secret must be at least 12 characters');
  if (SECRET_CONTROL_CHARACTER.test(secret)) throw new ConfigError('KEYWARD_BOOTSTRAP_ADMIN', 'secret must not contain control characters');
  return { username, secret };
}

function parseCorsOrigins(env: Env): string[] {
  const raw = nonEmpty(env, 'KEYWARD_CORS_ORIGINS');
  if (!raw) return [];
  return raw.split(',').map((origin) => {
    const trimmed = origin.trim();
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new ConfigError('KEYWARD_CORS_ORIGINS', `has an invalid origin "${trimmed}"`);
    }
    if (parsed.origin !== trimmed) throw new ConfigError('KEYWARD_CORS_ORIGINS', `"${trimmed}" must be a bare origin like https://app.example.com`);
    return trimmed;
  });
}

/** Validates the environment; throws ConfigError naming the first bad variable. */
export function parseAppConfig(env: Env): AppConfig {
  const nodeEnv = nonEmpty(env, 'NODE_ENV') ?? 'development';
  const dataDir = resolve(nonEmpty(env, 'KEYWARD_DATA_DIR') ?? '.data');
  const logLevel = nonEmpty(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const databaseUrl = parseDatabaseUrl(env);
  const databasePoolSize = integer(env, 'KEYWARD_DB_POOL_SIZE', 10, 1, 200);
  const workers = integer(env, 'KEYWARD_WORKERS', 1, 1, 64);
  if (workers > 1 && !databaseUrl) {
    throw new ConfigError('KEYWARD_WORKERS', 'above 1 needs DATABASE_URL: the embedded database serves a single process');
  }
  const tokenTtlSeconds = integer(env, 'KEYWARD_TOKEN_TTL', 3600, 60, 86400);
  const bodyLimitBytes = integer(env, 'KEYWARD_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024);
  const keyStoreMaxDataBytes = integer(env, 'KEYWARD_KEYSTORE_MAX_DATA_BYTES', 64 * 1024, 16, bodyLimitBytes);
  const loginThrottle = {
    maxFailuresPerClient: integer(env, 'KEYWARD_LOGIN_MAX_FAILURES', 10, 1, 1_000_000),
    maxFailuresPerAddress: integer(env, 'KEYWARD_LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 1_000_000),
    windowSeconds: integer(env, 'KEYWARD_LOGIN_THROTTLE_WINDOW', 900, 1, 86400),
  };
  const keyRing = {
    cacheSeconds: integer(env, 'KEYWARD_KEYRING_CACHE_SECONDS', 5, 0, 300),
    rewrapIntervalSeconds: integer(env, 'KEYWARD_REWRAP_INTERVAL_SECONDS', 600, 0, 7 * 86400),
    expiryWarningDays: integer(env, 'KEYWARD_KEYRING_EXPIRY_WARNING_DAYS', 30, 1, 3650),
  };
  const authCacheSeconds = integer(env, 'KEYWARD_AUTH_CACHE_SECONDS', 30, 0, 3600);
  const auditSealIntervalMs = integer(env, 'KEYWARD_AUDIT_SEAL_INTERVAL_MS', 1000, 0, 60_000);
  const webhookTimeoutMs = integer(env, 'KEYWARD_WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000);
  const externalIssuer = parseExternalIssuer(env);
  const bootstrapAdmin = parseBootstrapAdmin(env);
  const corsOrigins = parseCorsOrigins(env);
  const master = resolveMasterKey(env, nodeEnv, dataDir);
  const jwtSecretRaw = nonEmpty(env, 'KEYWARD_JWT_SECRET');
  if (jwtSecretRaw !== undefined && jwtSecretRaw.length < 32) {
    throw new ConfigError('KEYWARD_JWT_SECRET', 'must be at least 32 characters');
  }
  return {
    nodeEnv,
    port,
    host,
    databaseUrl,
    databasePoolSize,
    workers,
    dataDir,
    masterKey: master.key,
    masterKeyGenerated: master.generated,
    jwtSecret: jwtSecretRaw !== undefined ? Buffer.from(jwtSecretRaw, 'utf8') : master.key,
    tokenTtlSeconds,
    externalIssuer,
    bootstrapAdmin,
    corsOrigins,
    bodyLimitBytes,
    keyStoreMaxDataBytes,
    loginThrottle,
    keyRing,
    authCacheSeconds,
    auditSealIntervalMs,
    webhookTimeoutMs,
    logLevel,
  };
}
