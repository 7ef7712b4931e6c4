import { Between, LessThan, MoreThan, MoreThanOrEqual, type EntityManager, type FindOperator } from 'typeorm';
import { mapAuditEvent } from './dto/audit-event.dto.js';
import { AuditEventEntity } from './entities/audit-event.entity.js';

const PAGE = 1000;

function timeRange(from?: Date, to?: Date): FindOperator<Date> | undefined {
  if (from && to) return Between(from, new Date(to.getTime() - 1));
  if (from) return MoreThanOrEqual(from);
  if (to) return LessThan(to);
  return undefined;
}

/** Writes events in [from, to) as JSON lines, oldest first, page by page; with `prevHash` so a chain can be checked offline. */
export async function exportAuditEvents(manager: EntityManager, range: { from?: Date; to?: Date }, write: (line: string) => void): Promise<number> {
  const occurredAt = timeRange(range.from, range.to);
  let afterId = '0';
  let count = 0;
  for (;;) {
    const page = await manager.getRepository(AuditEventEntity).find({
      where: { id: MoreThan(afterId), ...(occurredAt ? { occurredAt } : {}) },
      order: { id: 'ASC' },
      take: PAGE,
    });
    for (const event of page) write(JSON.stringify({ ...mapAuditEvent(event), prevHash: event.prevHash }));
    count += page.length;
    if (page.length < PAGE) return count;
    afterId = page[page.length - 1].id;
  }
}
