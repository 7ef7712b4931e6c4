import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from '../crypto/key-material.js';
import type { KeyType } from './entities/project-key.entity.js';

/** DES (8), AES-128 (16), AES-192 / DESede (24), AES-256 (32) — SPEC §4. */
export const SECRET_KEY_BYTES = [8, 16, 24, 32] as const;

/** What identifies a valid content (its fingerprint input), or why it was refused. */
export type ContentCheck = { ok: true; material: Buffer } | { ok: false; problem: string };

const refuse = (problem: string): ContentCheck => ({ ok: false, problem });

/**
 * Checks `content` (base64, as sent) against its key type with node:crypto. The problems
 * name what was expected and never echo the content: it is key material.
 */
export function checkKeyContent(keyType: KeyType, content: string): ContentCheck {
  switch (keyType) {
    case 'SECRET_KEY':
      return checkSecretKey(content);
    case 'PRIVATE_KEY':
      return checkPrivateKey(content);
    case 'PUBLIC_KEY':
      return checkPublicKey(content);
  }
}

function checkSecretKey(content: string): ContentCheck {
  const key = decodeStrictBase64(content);
  if (!key || !(SECRET_KEY_BYTES as readonly number[]).includes(key.length)) {
    return refuse('content of a SECRET_KEY must be strict base64 of an 8 (DES), 16, 24 (AES, DESede) or 32 (AES) byte key');
  }
  return { ok: true, material: key };
}

function checkPrivateKey(content: string): ContentCheck {
  const pem = decodePem(content);
  const problem = 'content of a PRIVATE_KEY must be base64 of one unencrypted PEM private key (PKCS#8, PKCS#1, SEC1 or traditional DSA) and nothing else';
  // createPrivateKey skips text and blocks of other kinds (a public key, a certificate) around
  // the key, but the content is deployed as sent and the fingerprint covers the key alone:
  // two different deployed contents would show one fingerprint.
  if (pem === undefined || !PRIVATE_KEY_LABELS.has(privateKeyBlockLabel(pem) ?? '')) return refuse(problem);
  const key = attempt(() => createPrivateKey(pem));
  if (!key) return refuse(problem);
  // The DER form identifies the key whatever its PEM formatting.
  return { ok: true, material: key.export({ type: 'pkcs8', format: 'der' }) };
}

function checkPublicKey(content: string): ContentCheck {
  const pem = decodePem(content);
  const problem = 'content of a PUBLIC_KEY must be base64 of one PEM public key (SPKI or PKCS#1) and nothing else';
  if (pem === undefined) return refuse(problem);
  // createPublicKey also derives the public half of a private key or a certificate; neither
  // is what a PUBLIC_KEY holds, and a private key stored here would be handed out as public.
  if (attempt(() => createPrivateKey(pem)) || /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    return refuse('content holds a private key: a PUBLIC_KEY must hold only the public key');
  }
  if (/-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/.test(pem)) {
    return refuse('content is a certificate: a PUBLIC_KEY holds the public key itself (openssl x509 -pubkey -noout)');
  }
  // createPublicKey reads the first block only, and the content is deployed as sent: anything
  // after the key (another key, an OpenSSH private key) would go out labelled public.
  if (!PUBLIC_KEY_LABELS.has(soleBlockLabel(pem) ?? '')) return refuse(problem);
  const key = attempt(() => createPublicKey(pem));
  if (!key) return refuse(problem);
  return { ok: true, material: key.export({ type: 'spki', format: 'der' }) };
}

/** PKCS#8 (unencrypted), PKCS#1, SEC1 and OpenSSL's traditional DSA form. */
const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);
/** SPKI and PKCS#1. */
const PUBLIC_KEY_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

/** `openssl ecparam -genkey` writes the curve as a block of its own before the key, which names it again. */
const LEADING_EC_PARAMETERS = /^\s*-----BEGIN EC PARAMETERS-----[A-Za-z0-9+/=\s]*-----END EC PARAMETERS-----/;

/** soleBlockLabel of a private key's PEM, where an SEC1 key may come after its curve's parameters. */
function privateKeyBlockLabel(pem: string): string | undefined {
  const key = pem.replace(LEADING_EC_PARAMETERS, '');
  const label = soleBlockLabel(key);
  return key === pem || label === 'EC PRIVATE KEY' ? label : undefined;
}

/**
 * The label of the PEM text's one block, when it is exactly one block (no headers such as an
 * encrypted PKCS#1 key's Proc-Type) with only whitespace around it.
 */
function soleBlockLabel(pem: string): string | undefined {
  return /^\s*-----BEGIN ([A-Z0-9 ]+)-----[A-Za-z0-9+/=\s]*-----END \1-----\s*$/.exec(pem)?.[1];
}

/** Base64 of a PEM text; line breaks are tolerated because `base64` wraps its output. */
function decodePem(content: string): string | undefined {
  const bytes = decodeStrictBase64(content.replace(/\s+/g, ''));
  const text = bytes?.toString('utf8');
  return text !== undefined && /-----BEGIN [A-Z0-9 ]+-----/.test(text) ? text : undefined;
}

function attempt(parse: () => KeyObject): KeyObject | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}
