import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../http/problem.js';
import type { AuditEventQueryDto } from './dto/audit-event.dto.js';
import { AuditEventEntity } from './entities/audit-event.entity.js';

interface Cursor {
  at: string;
  id: string;
}

function encodeCursor(event: AuditEventEntity): string {
  return Buffer.from(JSON.stringify({ at: event.occurredAt.toISOString(), id: event.id } satisfies Cursor)).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at)) && /^\d{1,19}$/.test(parsed.id)) return parsed;
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
      builder.andWhere('(e.occurred_at, e.id) < (:at, :id)', { at: new Date(cursor.at), id: cursor.id });
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    return { events: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }
}
