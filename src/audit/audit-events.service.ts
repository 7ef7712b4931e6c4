import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { parseInstant } from '../http/instant.js';
import { AppError } from '../http/problem.js';
import type { AuditEventQueryDto } from './dto/audit-event.dto.js';
import { AuditEventEntity } from './entities/audit-event.entity.js';

interface Cursor {
  at: Date;
  id: string;
}

const BIGINT_MAX = 2n ** 63n - 1n;

function encodeCursor(event: AuditEventEntity): string {
  return Buffer.from(JSON.stringify({ at: event.occurredAt.toISOString(), id: event.id })).toString('base64url');
}

/** Only what encodeCursor can give: an edited cursor must not reach the database as a value it cannot compare. */
function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = typeof parsed.at === 'string' ? parseInstant(parsed.at) : undefined;
    if (at && typeof parsed.id === 'string' && /^\d{1,19}$/.test(parsed.id) && BigInt(parsed.id) <= BIGINT_MAX) return { at, id: parsed.id };
  } catch {
    // fall through
  }
  throw AppError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
}

/** Admin queries over the audit trail, newest first, keyset-paginated. */
@Injectable()
export class AuditEventsService {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  async findEvents(query: AuditEventQueryDto): Promise<{ events: AuditEventEntity[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const builder = this.events.createQueryBuilder('e').orderBy('e.occurred_at', 'DESC').addOrderBy('e.id', 'DESC').limit(limit + 1);
    if (query.action) builder.andWhere('e.action = :action', { action: query.action });
    if (query.actorId) builder.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
    if (query.resource) {
      const colon = query.resource.indexOf(':');
      const type = colon < 0 ? query.resource : query.resource.slice(0, colon);
      builder.andWhere('e.resource_type = :type', { type });
      if (colon >= 0) builder.andWhere('e.resource_id = :resourceId', { resourceId: query.resource.slice(colon + 1) });
    }
    if (query.from) builder.andWhere('e.occurred_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('e.occurred_at < :to', { to: query.to });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      builder.andWhere('(e.occurred_at, e.id) < (:at, :id)', { at: cursor.at, id: cursor.id });
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    return { events: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }
}
