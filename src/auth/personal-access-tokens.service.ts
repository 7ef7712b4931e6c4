import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../http/problem.js';
import { PersonalAccessTokenEntity } from './entities/personal-access-token.entity.js';
import { IdentityCache } from './identity-cache.js';
import type { AuthPrincipal } from './principal.js';

/** Recognisable in logs, secret scanners and support tickets. */
export const PAT_PREFIX = 'kwp_';

export function hashPersonalAccessToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface NewPersonalAccessToken {
  entity: PersonalAccessTokenEntity;
  /** The token itself: shown once, never stored. */
  token: string;
}

@Injectable()
export class PersonalAccessTokensService {
  constructor(
    @InjectRepository(PersonalAccessTokenEntity) private readonly tokens: Repository<PersonalAccessTokenEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly identityCache: IdentityCache,
  ) {}

  async issue(actor: AuthPrincipal, userId: string, name: string, expiresAt?: Date): Promise<NewPersonalAccessToken> {
    // `null` (passed by @IsOptional()) means no expiry, like an omitted field; it crashed on getTime (500).
    if (expiresAt != null && expiresAt.getTime() <= Date.now()) {
      throw AppError.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const token = `${PAT_PREFIX}${randomBytes(32).toString('base64url')}`;
    const entity = this.tokens.create({
      userId,
      name,
      tokenHash: hashPersonalAccessToken(token),
      tokenHint: token.slice(0, PAT_PREFIX.length + 6),
      expiresAt: expiresAt ?? null,
      revokedAt: null,
    });
    await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(PersonalAccessTokenEntity).insert(entity);
      await this.audit.record(tx, {
        action: 'auth.pat.create',
        actor,
        resource: { type: 'personal_access_token', id: entity.id },
        details: { userId, name, expiresAt: expiresAt?.toISOString() ?? null },
      });
    });
    return { entity: (await this.tokens.findOneBy({ id: entity.id }))!, token };
  }

  list(userId: string): Promise<PersonalAccessTokenEntity[]> {
    return this.tokens.find({ where: { userId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** Revokes one of `userId`'s tokens (any user's when `userId` is undefined, for the CLI). */
  async revoke(actor: AuthPrincipal, id: string, userId?: string): Promise<PersonalAccessTokenEntity> {
    const notFound = new AppError('not_found', `Personal access token (id: ${id}) is not found`);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound;
    const where = userId === undefined ? { id } : { id, userId };
    return this.dataSource.transaction(async (tx) => {
      const repository = tx.getRepository(PersonalAccessTokenEntity);
      const revoked = await repository.update({ ...where, revokedAt: IsNull() }, { revokedAt: new Date() });
      const token = await repository.findOneBy(where);
      if (!token) throw notFound;
      if (revoked.affected) {
        await this.audit.record(tx, { action: 'auth.pat.revoke', actor, resource: { type: 'personal_access_token', id }, details: { userId: token.userId } });
        await this.identityCache.changed(tx, `pat:${id}`);
      }
      return token;
    });
  }
}
