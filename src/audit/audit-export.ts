import type { EntityManager } from 'typeorm';
import type { AuditEventRow } from './audit-chain.js';

const PAGE = 1000;

/** Writes events in [from, to) as JSON lines, oldest first, streaming page by page. */
export async function exportAuditEvents(manager: EntityManager, range: { from?: string; to?: string }, write: (line: string) => void): Promise<number> {
  let afterId = '0';
  let count = 0;
  for (;;) {
    const rows: AuditEventRow[] = await manager.query(
      `SELECT * FROM audit_events
        WHERE id > $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)
        ORDER BY id LIMIT ${PAGE}`,
      [afterId, range.from ?? null, range.to ?? null],
    );
    for (const row of rows) {
      write(
        JSON.stringify({
          id: row.id,
          occurredAt: row.occurred_at.toISOString(),
          actor: { id: row.actor_id, tokenKind: row.actor_token_kind, tokenId: row.actor_token_id },
          action: row.action,
          resource: { type: row.resource_type, id: row.resource_id },
          outcome: row.outcome,
          requestId: row.request_id,
          clientAddress: row.client_address,
          userAgent: row.user_agent,
          details: row.details,
          chainSeq: row.chain_seq,
          prevHash: row.prev_hash,
          hash: row.hash,
        }),
      );
    }
    count += rows.length;
    if (rows.length < PAGE) return count;
    afterId = rows[rows.length - 1].id;
  }
}
