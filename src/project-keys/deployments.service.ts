import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { ValueCipher } from '../crypto/value-cipher.js';
import { type Queryable, Sql } from '../database/sql.js';
import { StatementParameters } from '../database/statement.js';
import type { DeployedKeyDto, DeploymentResultDto } from './dto/key-responses.dto.js';
import type { DeploymentStatus } from './entities/key-deployment.entity.js';
import { KEY_CONTENTS_TABLE } from './entities/project-key-content.entity.js';
import type { KeyType } from './entities/project-key.entity.js';
import { EnvironmentsService, environmentNotFound, toEnvironmentRef, type EnvironmentRef, type EnvironmentRefRow } from './environments.service.js';
import { WebhookNotifier, type WebhookEvent, type WebhookOutcome } from './webhook-notifier.js';

/** A deployment changed inside a transaction, announced once that transaction committed. */
export interface DeploymentChange {
  environment: EnvironmentRef;
  version: number;
  /** Set for a (re)deployment: its outcome is recorded only while no later deployment replaced it. */
  attemptId?: string;
}

type Event = WebhookEvent['event'];

const WORDS: Record<Event, { done: string; each: string; past: string }> = {
  'key.deployed': { done: 'Deployment', each: 'Deployed successfully', past: 'Published' },
  'key.undeployed': { done: 'Undeployment', each: 'Undeployed successfully', past: 'Undeployed' },
};

/**
 * Publishing a key version to environments (a part of the change's own statement, so it commits
 * with the change), announcing it to their webhooks afterwards, and the runtime read of what
 * an environment has.
 */
@Injectable()
export class DeploymentsService {
  constructor(
    private readonly sql: Sql,
    private readonly valueCipher: ValueCipher,
    private readonly environments: EnvironmentsService,
    private readonly notifier: WebhookNotifier,
  ) {}

  /**
   * Publishing `version` to each environment, as a part of a statement being assembled (the
   * change's own); `keyId` is its placeholder there. Without a webhook the deployment is
   * complete here; with one it stays PENDING until announce() records the webhook's answer.
   */
  publishStatement(parameters: StatementParameters, keyId: string, version: number, environments: EnvironmentRef[]): { statement: string; changes: DeploymentChange[] } {
    const changes = environments.map((environment) => ({ environment, version, attemptId: randomUUID() }));
    const environmentIds = parameters.add(changes.map((c) => c.environment.id), 'uuid[]');
    const statuses = parameters.add(changes.map((c): DeploymentStatus => (c.environment.hasWebhook ? 'PENDING' : 'DEPLOYED')), 'text[]');
    const messages = parameters.add(changes.map((c) => (c.environment.hasWebhook ? null : WORDS['key.deployed'].each)), 'text[]');
    const attemptIds = parameters.add(changes.map((c) => c.attemptId), 'uuid[]');
    const statement = `INSERT INTO key_deployments (key_id, environment_id, version, status, message, attempt_id)
       SELECT ${keyId}, v.environment_id, ${parameters.add(version, 'int')}, v.status, v.message, v.attempt_id
         FROM unnest(${environmentIds}, ${statuses}, ${messages}, ${attemptIds}) AS v(environment_id, status, message, attempt_id)
       ON CONFLICT (key_id, environment_id) DO UPDATE
         SET version = EXCLUDED.version, status = EXCLUDED.status, message = EXCLUDED.message,
             attempt_id = EXCLUDED.attempt_id, updated_at = now()`;
    return { statement, changes };
  }

  /**
   * Withdrawing the key from one environment, as a statement of its own (`keyId` and
   * `environmentId` are its placeholders) that answers the withdrawn version, or no row when the
   * key was not deployed there.
   */
  unpublishStatement(keyId: string, environmentId: string): string {
    return `DELETE FROM key_deployments WHERE key_id = ${keyId} AND environment_id = ${environmentId} RETURNING version`;
  }

  /** Where the key is published, and which version; stable under the key's row lock, which every deployment change takes. */
  async currentDeployments(tx: Queryable, keyId: string): Promise<DeploymentChange[]> {
    const rows = await tx.query<EnvironmentRefRow & { version: number }>(
      `SELECT e.id, e.name, e.webhook_url IS NOT NULL AS has_webhook, d.version
         FROM key_deployments d JOIN environments e ON e.id = d.environment_id
        WHERE d.key_id = $1 ORDER BY e.name`,
      [keyId],
    );
    return rows.map((row) => ({ environment: toEnvironmentRef(row), version: row.version }));
  }

  /**
   * After commit: notifies each environment's webhook (in parallel, outside any transaction),
   * records each deployment's outcome and reports per environment. One environment's failure
   * leaves the others' success untouched.
   */
  async announce(access: ProjectAccess, keyName: string, event: Event, changes: DeploymentChange[]): Promise<DeploymentResultDto> {
    const targets = await this.environments.webhookTargets(changes.filter((c) => c.environment.hasWebhook).map((c) => c.environment.id));
    const outcomes = await Promise.all(
      changes.map((change): Promise<WebhookOutcome> => {
        const target = targets.get(change.environment.id);
        if (!target) return Promise.resolve({ delivered: true });
        return this.notifier.notify(target.url, target.secret, {
          event,
          project: access.projectName,
          keyName,
          environment: change.environment.name,
          version: change.version,
          timestamp: new Date().toISOString(),
        });
      }),
    );
    const words = WORDS[event];
    const results = changes.map((change, i) => {
      const outcome = outcomes[i];
      const message = outcome.delivered
        ? words.each
        : `${words.past}, but the webhook notification failed: ${outcome.reason}${event === 'key.deployed' ? '; deploy again to retry' : ''}`;
      return { change, success: outcome.delivered, message };
    });
    await this.recordOutcomes(results.filter((r) => r.change.attemptId !== undefined && r.change.environment.hasWebhook));
    const failed = results.filter((r) => !r.success).length;
    return {
      success: failed === 0,
      message: failed === 0 ? `${words.done} completed successfully` : `${words.done} completed with errors: ${failed} of ${results.length} environments failed`,
      environmentResults: results.map((r) => ({ environmentName: r.change.environment.name, success: r.success, message: r.message })),
    };
  }

  /** The runtime read: every key published to the environment, with its content opened. */
  async listDeployedKeys(access: ProjectAccess, environmentName: string): Promise<DeployedKeyDto[]> {
    // One round trip: the environment row always comes back (with no key when none is
    // deployed), so an unknown environment is told apart from an empty one. The planner sizes
    // an environment's deployments by the average over all environments: one big project made
    // it hash-join every content and key of every project (5 ms instead of 0.5). LIMIT 1 on
    // these unique lookups keeps them per-deployment index lookups whatever that estimate.
    const found = await this.sql.query<{
      content_id: string | null;
      key_ring_entry_id: string;
      ciphertext: Buffer;
      alias: string | null;
      name: string;
      key_type: KeyType;
      version: number;
      status: DeploymentStatus;
    }>(
      `SELECT c.id AS content_id, c.key_ring_entry_id, c.ciphertext, c.alias, k.name, k.key_type, d.version, d.status
         FROM environments e
         LEFT JOIN key_deployments d ON d.environment_id = e.id
         LEFT JOIN LATERAL (SELECT c.id, c.key_ring_entry_id, c.ciphertext, c.alias FROM project_key_contents c
                             WHERE c.key_id = d.key_id AND c.environment_id = d.environment_id LIMIT 1) c ON true
         LEFT JOIN LATERAL (SELECT k.name, k.key_type FROM project_keys k WHERE k.id = d.key_id LIMIT 1) k ON true
        WHERE e.project_id = $1 AND lower(e.name) = lower($2)
        ORDER BY k.name`,
      [access.projectId, environmentName],
    );
    if (found.length === 0) throw environmentNotFound(environmentName, 'not_found');
    const rows = found.filter((row) => row.content_id !== null);
    return Promise.all(
      rows.map(async (row) => ({
        name: row.name,
        keyType: row.key_type,
        alias: row.alias,
        version: row.version,
        content: (await this.valueCipher.decrypt(KEY_CONTENTS_TABLE, row.content_id!, { keyRingEntryId: row.key_ring_entry_id, ciphertext: row.ciphertext })).toString('utf8'),
        deploymentStatus: row.status,
      })),
    );
  }

  private async recordOutcomes(results: { change: DeploymentChange; success: boolean; message: string }[]): Promise<void> {
    if (results.length === 0) return;
    await this.sql.query(
      `UPDATE key_deployments d SET status = v.status, message = v.message, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(attempt_id, status, message)
        WHERE d.attempt_id = v.attempt_id`,
      [results.map((r) => r.change.attemptId), results.map((r): DeploymentStatus => (r.success ? 'DEPLOYED' : 'FAILED')), results.map((r) => r.message)],
    );
  }
}
