import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** The hash the first sealed event chains from. */
export const GENESIS_HASH = '0'.repeat(64);
const VERIFY_BATCH = 1000;

/** The columns of a stored event, as read with plain SQL. */
export interface AuditEventRow {
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_token_kind: string | null;
  actor_token_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: string;
  request_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  chain_seq: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** SHA-256 over the previous hash, the position in the chain and every content column. */
export function eventHash(row: AuditEventRow, chainSeq: string, prevHash: string): string {
  const content = canonical([
    chainSeq,
    row.id,
    row.occurred_at.toISOString(),
    row.actor_id,
    row.actor_token_kind,
    row.actor_token_id,
    row.action,
    row.resource_type,
    row.resource_id,
    row.outcome,
    row.request_id,
    row.client_address,
    row.user_agent,
    row.details,
  ]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

/**
 * Seals the events committed so far, oldest id first, onto the end of the chain. Only one
 * sealer works at a time (transaction-scoped advisory lock; the others skip their turn).
 */
export async function sealPendingEvents(manager: EntityManager, batchSize = 1000): Promise<number> {
  return manager.transaction(async (tx) => {
    const [{ locked }]: { locked: boolean }[] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [AUDIT_SEAL_LOCK_ID]);
    if (!locked) return 0;
    const pending: AuditEventRow[] = await tx.query(`SELECT * FROM audit_events WHERE chain_seq IS NULL ORDER BY id LIMIT ${batchSize}`);
    if (pending.length === 0) return 0;
    const [last]: { chain_seq: string; hash: string }[] = await tx.query(
      'SELECT chain_seq, hash FROM audit_events WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1',
    );
    let seq = BigInt(last?.chain_seq ?? 0);
    let prevHash = last?.hash ?? GENESIS_HASH;
    const ids: string[] = [];
    const seqs: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const row of pending) {
      seq += 1n;
      const hash = eventHash(row, seq.toString(), prevHash);
      ids.push(row.id);
      seqs.push(seq.toString());
      prevs.push(prevHash);
      hashes.push(hash);
      prevHash = hash;
    }
    await tx.query(
      `UPDATE audit_events AS e SET chain_seq = v.seq, prev_hash = v.prev, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev, hash) WHERE e.id = v.id`,
      [ids, seqs, prevs, hashes],
    );
    return pending.length;
  });
}

export const AUDIT_SEAL_LOCK_ID = 7_201_944_223;

export interface ChainVerification {
  ok: boolean;
  sealed: number;
  unsealed: number;
  /** The first event whose link does not hold. */
  brokenAt?: { id: string; chainSeq: string; reason: string };
}

/** Walks the whole chain in order and recomputes every hash. */
export async function verifyAuditChain(manager: EntityManager): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let sealed = 0;
  for (;;) {
    const rows: AuditEventRow[] = await manager.query(
      `SELECT * FROM audit_events WHERE chain_seq >= $1 ORDER BY chain_seq LIMIT ${VERIFY_BATCH}`,
      [expectedSeq.toString()],
    );
    for (const row of rows) {
      const seq = row.chain_seq!;
      const broken = (reason: string): ChainVerification => ({ ok: false, sealed, unsealed: -1, brokenAt: { id: row.id, chainSeq: seq, reason } });
      if (BigInt(seq) !== expectedSeq) return broken(`event #${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return broken('its previous-hash does not match the event before it');
      if (eventHash(row, seq, prevHash) !== row.hash) return broken('its content does not match its hash');
      prevHash = row.hash!;
      expectedSeq += 1n;
      sealed += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  const [{ count }]: { count: string }[] = await manager.query('SELECT count(*) FROM audit_events WHERE chain_seq IS NULL');
  return { ok: true, sealed, unsealed: Number(count) };
}
