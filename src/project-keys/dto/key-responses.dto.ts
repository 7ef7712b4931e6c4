import type { DeploymentStatus } from '../entities/key-deployment.entity.js';
import type { KeyType } from '../entities/project-key.entity.js';

export class EnvironmentDeploymentResultDto {
  /** @example production */
  environmentName!: string;
  /** False when the environment's webhook did not answer 2xx in time; deploying again retries. @example true */
  success!: boolean;
  /** @example Deployed successfully */
  message!: string;
}

export class DeploymentResultDto {
  /** True only when every environment succeeded. @example true */
  success!: boolean;
  /** @example Deployment completed successfully */
  message!: string;
  environmentResults!: EnvironmentDeploymentResultDto[];
}

export class KeyDeploymentResponseDto {
  /** @example true */
  success!: boolean;
  deploymentResult!: DeploymentResultDto;
}

/** A key's entry for one environment: never its content, a fingerprint instead. */
export class KeyEnvironmentDto {
  /** @example production */
  environmentName!: string;
  /** @example my-key-alias */
  alias!: string | null;
  /** The key version at which this environment's content was last set. @example 1 */
  version!: number;
  /** HMAC-SHA256 of the key under a key derived from the master key: tells contents apart, never reveals them. */
  fingerprint!: string;
  /** NOT_DEPLOYED, or the deployment's state: PENDING (webhook notification under way), DEPLOYED, FAILED (deploy again to retry). @example DEPLOYED */
  deploymentStatus!: DeploymentStatus | 'NOT_DEPLOYED';
  /** The version published to the environment, or null when not deployed. @example 1 */
  deployedVersion!: number | null;
  /** @example Deployed successfully */
  deploymentMessage!: string | null;
}

export class KeyDto {
  id!: string;
  /** @example my-key */
  name!: string;
  /** @example Key for API encryption */
  description!: string | null;
  /** @example PRIVATE_KEY */
  keyType!: KeyType;
  /** The current version: 1 at creation, one more with every update. @example 1 */
  version!: number;
  createdBy!: string | null;
  createdAt!: string;
  updatedAt!: string;
  cryptoKeyInfoEnvironmentList!: KeyEnvironmentDto[];
}

export class KeyResponseDto {
  success!: boolean;
  key!: KeyDto;
}

export class KeyListResponseDto {
  success!: boolean;
  resultList!: KeyDto[];
  resultCount!: number;
}

/** A key as published to an environment, for its runtime (gateway): the one place content is returned. */
export class DeployedKeyDto {
  /** @example my-key */
  name!: string;
  /** @example PRIVATE_KEY */
  keyType!: KeyType;
  /** @example my-key-alias */
  alias!: string | null;
  /** The published version. @example 1 */
  version!: number;
  /** The base64 content exactly as it was sent. @example LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t... */
  content!: string;
  /** Published either way; FAILED means the webhook was not notified. @example DEPLOYED */
  deploymentStatus!: DeploymentStatus;
}

export class DeployedKeyListResponseDto {
  success!: boolean;
  resultList!: DeployedKeyDto[];
  resultCount!: number;
}
