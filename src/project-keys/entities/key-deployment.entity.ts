import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * PENDING: published, webhook notification under way (or interrupted: deploy again to retry);
 * DEPLOYED: published and, when the environment has a webhook, notified; FAILED: published but
 * the webhook did not answer 2xx.
 */
export const DEPLOYMENT_STATUSES = ['PENDING', 'DEPLOYED', 'FAILED'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** A key version published to an environment: what its gateway reads at deployed-keys. */
@Entity('key_deployments')
export class KeyDeploymentEntity {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 16 })
  status: DeploymentStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  message: string | null;

  /** Identifies one deployment; a slow notification's outcome only lands if no later deployment replaced it. */
  @Column({ name: 'attempt_id', type: 'uuid' })
  attemptId: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
