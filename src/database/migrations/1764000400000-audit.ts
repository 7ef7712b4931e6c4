import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Append-only audit trail. Events are inserted unsealed in the transaction of the change they
 * record; a sealer later assigns chain_seq, prev_hash and hash. The trigger refuses deletes,
 * truncation and any update other than sealing an unsealed row, whoever the database user is.
 */
export class Audit1764000400000 implements MigrationInterface {
  name = 'Audit1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        actor_id varchar(24),
        actor_token_kind varchar(16),
        actor_token_id varchar(64),
        action varchar(64) NOT NULL,
        resource_type varchar(64) NOT NULL,
        resource_id varchar(300),
        outcome varchar(16) NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
        request_id varchar(128),
        client_address varchar(64),
        user_agent varchar(256),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        chain_seq bigint UNIQUE,
        prev_hash char(64),
        hash char(64),
        CONSTRAINT audit_events_sealed_together CHECK ((chain_seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL))
      )`);
    await q.query('CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC)');
    await q.query('CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at DESC)');
    await q.query('CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at DESC)');
    await q.query('CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id)');
    await q.query('CREATE INDEX audit_events_unsealed_idx ON audit_events (id) WHERE chain_seq IS NULL');
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.occurred_at, NEW.actor_id, NEW.actor_token_kind, NEW.actor_token_id, NEW.action,
                NEW.resource_type, NEW.resource_id, NEW.outcome, NEW.request_id, NEW.client_address, NEW.user_agent, NEW.details)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.occurred_at, OLD.actor_id, OLD.actor_token_kind, OLD.actor_token_id, OLD.action,
                OLD.resource_type, OLD.resource_id, OLD.outcome, OLD.request_id, OLD.client_address, OLD.user_agent, OLD.details)
        THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
    await q.query('DROP FUNCTION audit_events_append_only()');
  }
}
