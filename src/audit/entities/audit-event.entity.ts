import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'denied' | 'failure';

@Entity('audit_events')
export class AuditEventEntity {
  /** bigserial: TypeORM returns it as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt: Date;

  @Column({ name: 'actor_id', type: 'varchar', length: 24, nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_token_kind', type: 'varchar', length: 16, nullable: true })
  actorTokenKind: string | null;

  @Column({ name: 'actor_token_id', type: 'varchar', length: 64, nullable: true })
  actorTokenId: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 64 })
  resourceType: string;

  @Column({ name: 'resource_id', type: 'varchar', length: 300, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  clientAddress: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;

  @Column({ name: 'chain_seq', type: 'bigint', nullable: true })
  chainSeq: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash: string | null;
}
