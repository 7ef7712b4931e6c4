import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { ValueCipher } from '../crypto/value-cipher.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import type { Queryable } from '../database/sql.js';
import { AppError } from '../http/problem.js';
import { type CreateEnvironmentDto, type EnvironmentDto, mapEnvironment } from './dto/environment.dto.js';
import { ENVIRONMENTS_TABLE, EnvironmentEntity } from './entities/environment.entity.js';

/** An environment as the key and deployment rules need it. */
export interface EnvironmentRef {
  id: string;
  name: string;
  hasWebhook: boolean;
}

/** How queries select an EnvironmentRef: `e.id, e.name, e.webhook_url IS NOT NULL AS has_webhook`. */
export interface EnvironmentRefRow {
  id: string;
  name: string;
  has_webhook: boolean;
}

export function toEnvironmentRef(row: EnvironmentRefRow): EnvironmentRef {
  return { id: row.id, name: row.name, hasWebhook: row.has_webhook };
}

export interface WebhookTarget {
  url: string;
  /** The signing secret, as returned once at the environment's creation. */
  secret: string;
}

export function environmentNotFound(name: string, kind: 'bad_request' | 'not_found'): AppError {
  return new AppError(kind, `Environment (${name}) is not found or user does not have privilege to access it!`);
}

@Injectable()
export class EnvironmentsService {
  constructor(
    @InjectRepository(EnvironmentEntity) private readonly environments: Repository<EnvironmentEntity>,
    private readonly valueCipher: ValueCipher,
    private readonly audit: AuditService,
  ) {}

  async listEnvironments(access: ProjectAccess): Promise<EnvironmentDto[]> {
    const environments = await this.environments.find({ where: { projectId: access.projectId }, order: { name: 'ASC' } });
    return environments.map(mapEnvironment);
  }

  /**
   * A webhook makes Keyward send requests wherever its URL points, so only administrators set
   * one. Its signing secret is generated here and shown once.
   */
  async createEnvironment(
    principal: AuthPrincipal,
    access: ProjectAccess,
    dto: CreateEnvironmentDto,
  ): Promise<{ environment: EnvironmentDto; webhookSecret?: string }> {
    // `webhookUrl: null` (passed by @IsOptional()) means no webhook, like an omitted field: it made a
    // secret without a URL, which the table's check constraint refused (500).
    if (dto.webhookUrl != null && !principal.isAdmin) {
      throw new AppError('forbidden', 'Forbidden - administrator rights are required to set a webhookUrl');
    }
    const id = randomUUID();
    const webhookSecret = dto.webhookUrl != null ? randomBytes(32).toString('base64url') : undefined;
    try {
      await this.valueCipher.sealing(async () => {
        const sealed = webhookSecret !== undefined ? await this.valueCipher.encrypt(ENVIRONMENTS_TABLE, id, Buffer.from(webhookSecret, 'utf8')) : undefined;
        await this.environments.manager.transaction(async (tx) => {
          await tx.getRepository(EnvironmentEntity).insert({
            id,
            projectId: access.projectId,
            name: dto.name,
            type: dto.type,
            description: dto.description ?? null,
            createdBy: principal.userId,
            webhookUrl: dto.webhookUrl ?? null,
            keyRingEntryId: sealed?.keyRingEntryId ?? null,
            keyRingEntryUsable: sealed ? true : null,
            ciphertext: sealed?.ciphertext ?? null,
          });
          await this.audit.record(tx, {
            action: 'project.environment.create',
            actor: principal,
            resource: { type: 'project.environment', id: `${access.projectName}/${dto.name}` },
            details: { type: dto.type, webhook: dto.webhookUrl != null },
          });
        });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'environments_project_name_key')) {
        throw new AppError('bad_request', `Environment (name: ${dto.name}) is already exist!`);
      }
      throw error;
    }
    const environment = mapEnvironment((await this.environments.findOneBy({ id }))!);
    return webhookSecret !== undefined ? { environment, webhookSecret } : { environment };
  }

  /** The project's environment named in a path (case-insensitive); 404 otherwise. */
  async findEnvironment(db: Queryable, access: ProjectAccess, name: string): Promise<EnvironmentRef> {
    const [found] = await this.findEnvironments(db, access, [name]);
    if (!found) throw environmentNotFound(name, 'not_found');
    return found;
  }

  /** The project's environments with these names, in the given order; an unknown name answers 400. */
  async resolveEnvironments(db: Queryable, access: ProjectAccess, names: string[]): Promise<EnvironmentRef[]> {
    if (names.length === 0) return [];
    const found = new Map((await this.findEnvironments(db, access, names)).map((environment) => [environment.name.toLowerCase(), environment]));
    return names.map((name) => {
      const environment = found.get(name.toLowerCase());
      if (!environment) throw environmentNotFound(name, 'bad_request');
      return environment;
    });
  }

  /** Webhook URL and opened secret of those of `environmentIds` that have a webhook. */
  async webhookTargets(environmentIds: string[]): Promise<Map<string, WebhookTarget>> {
    const targets = new Map<string, WebhookTarget>();
    if (environmentIds.length === 0) return targets;
    const rows = await this.environments.findBy({ id: In(environmentIds), webhookUrl: Not(IsNull()) });
    for (const row of rows) {
      const secret = await this.valueCipher.decrypt(ENVIRONMENTS_TABLE, row.id, { keyRingEntryId: row.keyRingEntryId!, ciphertext: row.ciphertext! });
      targets.set(row.id, { url: row.webhookUrl!, secret: secret.toString('utf8') });
    }
    return targets;
  }

  private async findEnvironments(db: Queryable, access: ProjectAccess, names: string[]): Promise<EnvironmentRef[]> {
    const rows = await db.query<EnvironmentRefRow>(
      `SELECT e.id, e.name, e.webhook_url IS NOT NULL AS has_webhook FROM environments e
        WHERE e.project_id = $1 AND lower(e.name) = ANY($2::text[])`,
      [access.projectId, names.map((name) => name.toLowerCase())],
    );
    return rows.map(toEnvironmentRef);
  }
}
