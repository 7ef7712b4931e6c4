import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant } from '../../http/instant.js';
import { IsPageSize } from '../../http/page-size.js';
import { ChargeworxResponseDto } from '../../http/formats/chargeworx-response.dto.js';
import type { AuditEventEntity } from '../entities/audit-event.entity.js';

export class AuditEventQueryDto {
  /** Exact action, e.g. `keystore.entry.create` or `auth.denied`. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_.]{1,64}$/, { message: 'action must be lowercase letters, "." and "_"' })
  action?: string;

  /** User id of the actor. */
  @IsOptional()
  @Matches(/^[a-f0-9]{24}$/, { message: 'actorId must be 24 lowercase hex digits' })
  actorId?: string;

  /** A resource type (`keystore.entry`) or type and id (`keystore.entry:my-key`). */
  @IsOptional()
  @IsString()
  @MaxLength(365)
  resource?: string;

  /** Events at or after this time. @example 2026-01-01T00:00:00Z */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant('from')
  from?: Date;

  /** Events before this time. @example 2026-02-01T00:00:00Z */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant('to')
  to?: Date;

  /** Page size, 1-100. @example 50 */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100 })
  @IsOptional()
  @IsPageSize(100)
  limit?: number;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AuditActorDto {
  id!: string | null;
  /** jwt, pat, external, cli or system. */
  tokenKind!: string | null;
  tokenId!: string | null;
}

export class AuditResourceDto {
  type!: string;
  id!: string | null;
}

export class AuditEventDto {
  id!: string;
  occurredAt!: string;
  actor!: AuditActorDto;
  action!: string;
  resource!: AuditResourceDto;
  /** success, denied or failure. */
  outcome!: string;
  requestId!: string | null;
  clientAddress!: string | null;
  userAgent!: string | null;
  details!: Record<string, unknown>;
  /** Position in the hash chain; null until sealed (within seconds of commit). */
  chainSeq!: string | null;
  hash!: string | null;
}

export class AuditEventListResponseDto extends ChargeworxResponseDto {
  /** Newest first. */
  events!: AuditEventDto[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor!: string | null;
}

export function mapAuditEvent(event: AuditEventEntity): AuditEventDto {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    actor: { id: event.actorId, tokenKind: event.actorTokenKind, tokenId: event.actorTokenId },
    action: event.action,
    resource: { type: event.resourceType, id: event.resourceId },
    outcome: event.outcome,
    requestId: event.requestId,
    clientAddress: event.clientAddress,
    userAgent: event.userAgent,
    details: event.details,
    chainSeq: event.chainSeq,
    hash: event.hash,
  };
}
