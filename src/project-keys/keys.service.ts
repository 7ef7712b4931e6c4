import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService, type AuditRecord } from '../audit/audit.service.js';
import type { AuthPrincipal } from '../auth/principal.js';
import { missingPermissions, type ProjectAccess } from '../auth/project-access.service.js';
import { KeyRing } from '../crypto/key-ring.js';
import { type SealedValue, ValueCipher } from '../crypto/value-cipher.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { type Queryable, Sql } from '../database/sql.js';
import { asOneStatement, StatementParameters } from '../database/statement.js';
import { AppError, type FieldError } from '../http/problem.js';
import { DeploymentsService, type DeploymentChange } from './deployments.service.js';
import type { CryptoKeyInfoEnvironmentDTO, KeyCreateDTO, KeyUpdateDTO } from './dto/key.dto.js';
import type { DeploymentResultDto, KeyDto, KeyEnvironmentDto } from './dto/key-responses.dto.js';
import type { DeploymentStatus } from './entities/key-deployment.entity.js';
import { KEY_CONTENTS_TABLE } from './entities/project-key-content.entity.js';
import type { KeyType, ProjectKeyEntity } from './entities/project-key.entity.js';
import { EnvironmentsService, type EnvironmentRef } from './environments.service.js';
import { checkKeyContent } from './key-content.js';

/** One entry of cryptoKeyInfoEnvironmentList, sealed under a fresh row id before any transaction opens. */
interface SealedEntry {
  id: string;
  entry: CryptoKeyInfoEnvironmentDTO;
  sealed: SealedValue;
}

interface ContentRow {
  key_id: string;
  environment_name: string;
  alias: string | null;
  version: number;
  fingerprint: string;
  status: DeploymentStatus | null;
  deployed_version: number | null;
  message: string | null;
}

const KEY_COLUMNS = `id, project_id AS "projectId", name, description, key_type AS "keyType", current_version AS "currentVersion",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

function keyNotFound(name: string): AppError {
  return new AppError('not_found', `Key (name: ${name.slice(0, 100)}) is not found or user does not have privilege to access it!`);
}

function duplicateKey(name: string): AppError {
  return new AppError('bad_request', `Key (name: ${name}) is already exist! Try update operation if want to change its value.`);
}

/** Deploying or withdrawing a key, also as the side effect of a create, update or delete, needs this too (SPEC §4). */
function requireDeployPermission(access: ProjectAccess): void {
  if (!access.permissions.has('SECRETS:DEPLOY_UNDEPLOY')) throw missingPermissions(access.projectName, ['SECRETS:DEPLOY_UNDEPLOY']);
}

function assertDistinctEnvironments(entries: CryptoKeyInfoEnvironmentDTO[]): void {
  const seen = new Set<string>();
  for (const { environmentName } of entries) {
    if (seen.has(environmentName.toLowerCase())) throw new AppError('bad_request', `Environment (${environmentName}) is listed more than once`);
    seen.add(environmentName.toLowerCase());
  }
}

/** Validates every entry's content against the key type; returns what each fingerprint is taken of. */
function checkContents(keyType: KeyType, entries: CryptoKeyInfoEnvironmentDTO[]): Buffer[] {
  const fields: FieldError[] = [];
  const materials = entries.map((entry, i) => {
    const check = checkKeyContent(keyType, entry.content);
    if (check.ok) return check.material;
    fields.push({ field: `cryptoKeyInfoEnvironmentList.${i}.content`, message: check.problem });
    return Buffer.alloc(0);
  });
  if (fields.length > 0) throw AppError.validation(fields);
  return materials;
}

/**
 * The rules of project keys (SPEC §4). Every change locks the key's row, so concurrent
 * changes of one key run one after the other; the unique index on (project, lower(name))
 * settles racing creates and renames. Webhooks are called only after the commit.
 */
@Injectable()
export class KeysService {
  constructor(
    private readonly sql: Sql,
    private readonly valueCipher: ValueCipher,
    private readonly keyRing: KeyRing,
    private readonly environments: EnvironmentsService,
    private readonly deployments: DeploymentsService,
    private readonly audit: AuditService,
  ) {}

  async createKey(principal: AuthPrincipal, access: ProjectAccess, dto: KeyCreateDTO): Promise<DeploymentResultDto> {
    const entries = dto.cryptoKeyInfoEnvironmentList;
    if (entries.length > 0) requireDeployPermission(access);
    assertDistinctEnvironments(entries);
    const materials = checkContents(dto.keyType, entries);
    const environments = await this.environments.resolveEnvironments(this.sql, access, entries.map((e) => e.environmentName));
    // One statement: the key, its contents, its deployments and their audit events commit
    // together, in one round trip. The unique index settles a racing create of the same name.
    const changes = await this.refuseDuplicateName(dto.name, () =>
      this.valueCipher.sealing(async () => {
        const sealed = await this.seal(entries);
        const parameters = new StatementParameters();
        const keyId = parameters.add(randomUUID(), 'uuid');
        const published = this.publishing(parameters, keyId, principal, access, dto.name, 1, environments);
        const parts = [
          `INSERT INTO project_keys (id, project_id, name, description, key_type, current_version, created_by)
           VALUES (${keyId}, ${parameters.add(access.projectId)}, ${parameters.add(dto.name)}, ${parameters.add(dto.description ?? null)}, ${parameters.add(dto.keyType)}, 1, ${parameters.add(principal.userId)})`,
          ...this.contentsParts(parameters, keyId, 1, sealed, environments, materials),
          ...published.parts,
        ];
        const events = [this.keyEvent(principal, access, 'project.key.create', dto.name, { keyType: dto.keyType, version: 1 }), ...published.events];
        await this.sql.query(this.withEvents(parameters, parts, events), parameters.values);
        return published.changes;
      }),
    );
    return this.deployments.announce(access, dto.name, 'key.deployed', changes);
  }

  /** Plain SQL on the reads: no ORM query building and hydration per request. */
  async listKeys(access: ProjectAccess): Promise<KeyDto[]> {
    const keys = await this.sql.query<ProjectKeyEntity>(`SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = $1 ORDER BY name`, [access.projectId]);
    return this.map(keys);
  }

  async getKey(access: ProjectAccess, keyName: string): Promise<KeyDto> {
    const [key] = await this.map([await this.findKey(this.sql, access, keyName)]);
    return key;
  }

  /**
   * Every update makes a new version and republishes it where the key is deployed, plus to
   * the environments it names. A key type change needs new content for all environments: no
   * content is valid as two types.
   */
  async updateKey(principal: AuthPrincipal, access: ProjectAccess, keyName: string, dto: KeyUpdateDTO): Promise<DeploymentResultDto> {
    const entries = dto.cryptoKeyInfoEnvironmentList ?? [];
    if (entries.length > 0) requireDeployPermission(access);
    assertDistinctEnvironments(entries);
    const { name, changes } = await this.refuseDuplicateName(dto.name ?? keyName, () =>
      this.valueCipher.sealing(async () => {
        const sealed = await this.seal(entries);
        return this.sql.transaction(async (tx) => {
          const key = await this.findKey(tx, access, keyName, { lock: true });
          const keyType = dto.keyType ?? key.keyType;
          const environments = await this.environments.resolveEnvironments(tx, access, entries.map((e) => e.environmentName));
          const materials = checkContents(keyType, entries);
          const deployed = (await this.deployments.currentDeployments(tx, key.id)).map((d) => d.environment);
          if (deployed.length > 0) requireDeployPermission(access);
          if (keyType !== key.keyType) await this.assertAllContentsReplaced(tx, key, keyType, environments);
          const version = key.currentVersion + 1;
          const name = dto.name ?? key.name;
          const targets = [...deployed, ...environments.filter((e) => !deployed.some((d) => d.id === e.id))];
          // The writes and their audit events as one statement, under the key's row lock.
          const parameters = new StatementParameters();
          const keyId = parameters.add(key.id, 'uuid');
          const description = dto.description === undefined ? key.description : dto.description;
          const published = this.publishing(parameters, keyId, principal, access, name, version, targets);
          const parts = [
            `UPDATE project_keys SET name = ${parameters.add(name)}, description = ${parameters.add(description)}, key_type = ${parameters.add(keyType)},
                    current_version = ${parameters.add(version, 'int')}, updated_at = now()
              WHERE id = ${keyId}`,
            ...this.contentsParts(parameters, keyId, version, sealed, environments, materials),
            ...published.parts,
          ];
          const updated = this.keyEvent(principal, access, 'project.key.update', name, { version, keyType, ...(name !== key.name ? { renamedFrom: key.name } : {}) });
          await tx.query(this.withEvents(parameters, parts, [updated, ...published.events]), parameters.values);
          return { name, changes: published.changes };
        });
      }),
    );
    return this.deployments.announce(access, name, 'key.deployed', changes);
  }

  /** Withdraws the key from every environment and deletes it with its contents, in one statement with its audit events. */
  async deleteKey(principal: AuthPrincipal, access: ProjectAccess, keyName: string): Promise<DeploymentResultDto> {
    const { name, changes } = await this.sql.transaction(async (tx) => {
      const key = await this.findKey(tx, access, keyName, { lock: true });
      const changes = await this.deployments.currentDeployments(tx, key.id);
      if (changes.length > 0) requireDeployPermission(access);
      const parameters = new StatementParameters();
      // Its contents and deployments go with it (ON DELETE CASCADE).
      const parts = [`DELETE FROM project_keys WHERE id = ${parameters.add(key.id, 'uuid')}`];
      const events = [
        ...(changes.length > 0 ? [this.undeployEvent(principal, access, key.name, changes.map((c) => c.environment))] : []),
        this.keyEvent(principal, access, 'project.key.delete', key.name, { version: key.currentVersion }),
      ];
      await tx.query(this.withEvents(parameters, parts, events), parameters.values);
      return { name: key.name, changes };
    });
    return this.deployments.announce(access, name, 'key.undeployed', changes);
  }

  /** Publishes the key's current version to one environment; deploying again retries a failed notification. */
  async deployKey(principal: AuthPrincipal, access: ProjectAccess, keyName: string, environmentName: string): Promise<DeploymentResultDto> {
    const { name, changes } = await this.sql.transaction(async (tx) => {
      const key = await this.findKey(tx, access, keyName, { lock: true });
      const environment = await this.environments.findEnvironment(tx, access, environmentName);
      const content = await tx.query('SELECT 1 FROM project_key_contents WHERE key_id = $1 AND environment_id = $2', [key.id, environment.id]);
      if (content.length === 0) {
        throw new AppError('bad_request', `Key (name: ${key.name}) has no content for environment (${environment.name}): add it with an update first`);
      }
      const parameters = new StatementParameters();
      const published = this.publishing(parameters, parameters.add(key.id, 'uuid'), principal, access, key.name, key.currentVersion, [environment]);
      await tx.query(this.withEvents(parameters, published.parts, published.events), parameters.values);
      return { name: key.name, changes: published.changes };
    });
    return this.deployments.announce(access, name, 'key.deployed', changes);
  }

  /** Withdraws the key from one environment; its content there stays for a later deployment. */
  async undeployKey(principal: AuthPrincipal, access: ProjectAccess, keyName: string, environmentName: string): Promise<DeploymentResultDto> {
    const { name, changes } = await this.sql.transaction(async (tx) => {
      const key = await this.findKey(tx, access, keyName, { lock: true });
      const environment = await this.environments.findEnvironment(tx, access, environmentName);
      const parameters = new StatementParameters();
      const withdrawing = this.deployments.unpublishStatement(parameters.add(key.id, 'uuid'), parameters.add(environment.id, 'uuid'));
      // The event is recorded with the withdrawn row, if there is one.
      const { sql, parameters: values } = this.audit.withEvent(withdrawing, parameters.values, this.undeployEvent(principal, access, key.name, [environment]));
      const [withdrawn] = await tx.query<{ version: number }>(sql, values);
      if (!withdrawn) throw new AppError('bad_request', `Key (name: ${key.name}) is not deployed to environment (${environment.name})`);
      return { name: key.name, changes: [{ environment, version: withdrawn.version }] };
    });
    return this.deployments.announce(access, name, 'key.undeployed', changes);
  }

  /** Publishing `version` to `environments` and its audit event, for a statement being assembled; `keyId` is a placeholder. */
  private publishing(
    parameters: StatementParameters,
    keyId: string,
    principal: AuthPrincipal,
    access: ProjectAccess,
    keyName: string,
    version: number,
    environments: EnvironmentRef[],
  ): { parts: string[]; events: AuditRecord[]; changes: DeploymentChange[] } {
    if (environments.length === 0) return { parts: [], events: [], changes: [] };
    const { statement, changes } = this.deployments.publishStatement(parameters, keyId, version, environments);
    return { parts: [statement], events: [this.deployEvent(principal, access, keyName, version, changes)], changes };
  }

  /** `parts` and the INSERT of their audit `events` as one statement: they commit together or not at all. */
  private withEvents(parameters: StatementParameters, parts: string[], events: AuditRecord[]): string {
    return asOneStatement([...parts, this.audit.insertEvents(parameters, events)]);
  }

  private undeployEvent(principal: AuthPrincipal, access: ProjectAccess, keyName: string, environments: EnvironmentRef[]): AuditRecord {
    return this.keyEvent(principal, access, 'project.key.undeploy', keyName, { environments: environments.map((e) => e.name) });
  }

  private keyEvent(principal: AuthPrincipal, access: ProjectAccess, action: string, keyName: string, details: Record<string, unknown>): AuditRecord {
    return { action, actor: principal, resource: { type: 'project.key', id: `${access.projectName}/${keyName}` }, details };
  }

  private deployEvent(principal: AuthPrincipal, access: ProjectAccess, keyName: string, version: number, changes: DeploymentChange[]): AuditRecord {
    return this.keyEvent(principal, access, 'project.key.deploy', keyName, { version, environments: changes.map((c) => c.environment.name) });
  }

  private async findKey(db: Queryable, access: ProjectAccess, keyName: string, options: { lock?: boolean } = {}): Promise<ProjectKeyEntity> {
    const [key] = await db.query<ProjectKeyEntity>(
      `SELECT ${KEY_COLUMNS} FROM project_keys WHERE project_id = $1 AND lower(name) = lower($2)${options.lock ? ' FOR UPDATE' : ''}`,
      [access.projectId, keyName],
    );
    if (!key) throw keyNotFound(keyName);
    return key;
  }

  /** Sealing reads the key ring, so it happens before the transaction, under a row id chosen here. */
  private seal(entries: CryptoKeyInfoEnvironmentDTO[]): Promise<SealedEntry[]> {
    return Promise.all(
      entries.map(async (entry) => {
        const id = randomUUID();
        return { id, entry, sealed: await this.valueCipher.encrypt(KEY_CONTENTS_TABLE, id, Buffer.from(entry.content, 'utf8')) };
      }),
    );
  }

  /**
   * Setting each environment's content, as a part of a statement being assembled (none when
   * there is nothing to set); `keyId` is its placeholder there. A replaced content gets the new
   * row id its ciphertext is bound to; an entry without an alias keeps the stored one (read
   * under the key's row lock on update).
   */
  private contentsParts(parameters: StatementParameters, keyId: string, version: number, sealed: SealedEntry[], environments: EnvironmentRef[], materials: Buffer[]): string[] {
    if (sealed.length === 0) return [];
    const ids = parameters.add(sealed.map((s) => s.id), 'uuid[]');
    const environmentIds = parameters.add(environments.map((e) => e.id), 'uuid[]');
    const aliases = parameters.add(sealed.map((s) => s.entry.alias ?? null), 'text[]');
    const aliasGiven = parameters.add(sealed.map((s) => s.entry.alias !== undefined), 'boolean[]');
    const fingerprints = parameters.add(materials.map((material) => this.keyRing.fingerprint(material)), 'text[]');
    const keyRingEntryIds = parameters.add(sealed.map((s) => s.sealed.keyRingEntryId), 'uuid[]');
    const ciphertexts = parameters.add(sealed.map((s) => s.sealed.ciphertext), 'bytea[]');
    return [
      `INSERT INTO project_key_contents (id, key_id, environment_id, alias, version, fingerprint, key_ring_entry_id, key_ring_entry_usable, ciphertext)
       SELECT c.id, ${keyId}, c.environment_id,
              CASE WHEN c.alias_given THEN c.alias
                   ELSE (SELECT kept.alias FROM project_key_contents kept WHERE kept.key_id = ${keyId} AND kept.environment_id = c.environment_id) END,
              ${parameters.add(version, 'int')}, c.fingerprint, c.key_ring_entry_id, true, c.ciphertext
         FROM unnest(${ids}, ${environmentIds}, ${aliases}, ${aliasGiven}, ${fingerprints}, ${keyRingEntryIds}, ${ciphertexts})
              AS c(id, environment_id, alias, alias_given, fingerprint, key_ring_entry_id, ciphertext)
       ON CONFLICT (key_id, environment_id) DO UPDATE
         SET id = EXCLUDED.id, version = EXCLUDED.version, fingerprint = EXCLUDED.fingerprint, alias = EXCLUDED.alias,
             key_ring_entry_id = EXCLUDED.key_ring_entry_id, key_ring_entry_usable = true, ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
    ];
  }

  private async assertAllContentsReplaced(tx: Queryable, key: ProjectKeyEntity, keyType: KeyType, replaced: EnvironmentRef[]): Promise<void> {
    const kept = await tx.query<{ name: string }>(
      `SELECT e.name FROM project_key_contents c JOIN environments e ON e.id = c.environment_id
        WHERE c.key_id = $1 AND NOT (c.environment_id = ANY($2::uuid[])) ORDER BY e.name`,
      [key.id, replaced.map((e) => e.id)],
    );
    if (kept.length > 0) {
      throw new AppError(
        'bad_request',
        `Changing keyType to ${keyType} needs new content for every environment of the key; missing: ${kept.map((e) => e.name).join(', ')}`,
      );
    }
  }

  private async refuseDuplicateName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'project_keys_project_name_key')) throw duplicateKey(name);
      throw error;
    }
  }

  private async map(keys: ProjectKeyEntity[]): Promise<KeyDto[]> {
    const rows = keys.length === 0 ? [] : await this.sql.query<ContentRow>(
      `SELECT c.key_id, e.name AS environment_name, c.alias, c.version, c.fingerprint, d.status, d.version AS deployed_version, d.message
         FROM project_key_contents c
         JOIN environments e ON e.id = c.environment_id
         LEFT JOIN key_deployments d ON d.key_id = c.key_id AND d.environment_id = c.environment_id
        WHERE c.key_id = ANY($1::uuid[])
        ORDER BY e.name`,
      [keys.map((key) => key.id)],
    );
    const entriesByKey = new Map<string, KeyEnvironmentDto[]>(keys.map((key) => [key.id, []]));
    for (const row of rows) entriesByKey.get(row.key_id)!.push(mapEnvironmentEntry(row));
    return keys.map((key) => ({
      id: key.id,
      name: key.name,
      description: key.description,
      keyType: key.keyType,
      version: key.currentVersion,
      createdBy: key.createdBy,
      createdAt: key.createdAt.toISOString(),
      updatedAt: key.updatedAt.toISOString(),
      cryptoKeyInfoEnvironmentList: entriesByKey.get(key.id)!,
    }));
  }
}

function mapEnvironmentEntry(row: ContentRow): KeyEnvironmentDto {
  return {
    environmentName: row.environment_name,
    alias: row.alias,
    version: row.version,
    fingerprint: row.fingerprint,
    deploymentStatus: row.status ?? 'NOT_DEPLOYED',
    deployedVersion: row.deployed_version,
    deploymentMessage: row.message,
  };
}
