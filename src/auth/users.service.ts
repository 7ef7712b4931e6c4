import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { Sql } from '../database/sql.js';
import { AuditService, SYSTEM_ACTOR, type AuditRecord } from '../audit/audit.service.js';
import { AppError } from '../http/problem.js';
import type { AuthPrincipal } from './principal.js';
import { UserEntity } from './entities/user.entity.js';
import { IdentityCache } from './identity-cache.js';
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, newClientSecret, newUserId, SECRET_CONTROL_CHARACTER, USERNAME_PATTERN } from './identity-rules.js';
import { hashSecret } from './secret-hasher.js';

const USER_COLUMNS = `id, username, is_admin AS "isAdmin", disabled, secret_hash AS "secretHash", secret_rotated_at AS "secretRotatedAt",
  secret_version AS "secretVersion", created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface CreateUserInput {
  username: string;
  isAdmin?: boolean;
  /** Omitted: a strong secret is generated and returned once. */
  secret?: string;
}

export interface UserWithSecret {
  user: UserEntity;
  /** Present only when the secret was generated here. */
  generatedSecret?: string;
}

/** Users and their client secrets: the rules of SPEC §1, shared by the admin REST API and the CLI. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly identityCache: IdentityCache,
  ) {}

  /** KEYWARD_BOOTSTRAP_ADMIN creates the first admin; a no-op once any admin exists. */
  async onApplicationBootstrap(): Promise<void> {
    const bootstrap = this.config.bootstrapAdmin;
    if (!bootstrap) return;
    if (await this.users.exists({ where: { isAdmin: true } })) return;
    try {
      await this.createUser(SYSTEM_ACTOR, { username: bootstrap.username, secret: bootstrap.secret, isAdmin: true });
      this.logger.log(`Created the bootstrap administrator "${bootstrap.username}"`);
    } catch (error) {
      // Another instance won the race, or a non-admin already has that name: never promote silently.
      if (error instanceof AppError && error.kind === 'conflict') {
        this.logger.warn(`KEYWARD_BOOTSTRAP_ADMIN: user "${bootstrap.username}" already exists; not changed`);
        return;
      }
      throw error;
    }
  }

  async createUser(actor: AuditRecord['actor'], input: CreateUserInput): Promise<UserWithSecret> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw AppError.validation([{ field: 'username', message: 'must be 2-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' }]);
    }
    if (input.secret !== undefined) assertSecretStrength(input.secret);
    const secret = input.secret ?? newClientSecret();
    const user = this.users.create({
      id: newUserId(),
      username: input.username,
      isAdmin: input.isAdmin ?? false,
      disabled: false,
      secretHash: await hashSecret(secret, input.secret === undefined ? 'generated' : 'chosen'),
      secretRotatedAt: new Date(),
    });
    try {
      await this.dataSource.transaction(async (tx) => {
        await tx.getRepository(UserEntity).insert(user);
        await this.audit.record(tx, {
          action: 'admin.user.create',
          actor,
          resource: { type: 'user', id: user.id },
          details: { username: user.username, isAdmin: user.isAdmin, secretGenerated: input.secret === undefined },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', `User (username: ${input.username}) already exists`);
      throw error;
    }
    return { user: await this.getUser(user.id), generatedSecret: input.secret === undefined ? secret : undefined };
  }

  listUsers(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async getUser(id: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new AppError('not_found', `User (id: ${id}) is not found`);
    return user;
  }

  /**
   * Plain SQL: every token request looks its client up. Only a name the username rule allows can
   * name a user: PostgreSQL's lower() folds other characters to ASCII letters ("İ" to "i"), so
   * another spelling would log in as someone else past their throttle bucket.
   */
  async findByUsername(username: string): Promise<UserEntity | null> {
    if (!USERNAME_PATTERN.test(username)) return null;
    const [row] = await this.sql.query<UserEntity>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower($1)`, [username]);
    return row ? Object.assign(new UserEntity(), row) : null;
  }

  /** The id, or a username (the CLI accepts either). */
  async resolveUser(idOrUsername: string): Promise<UserEntity> {
    const user = /^[a-f0-9]{24}$/.test(idOrUsername) ? await this.users.findOneBy({ id: idOrUsername }) : await this.findByUsername(idOrUsername);
    if (!user) throw new AppError('not_found', `User (${idOrUsername}) is not found`);
    return user;
  }

  /**
   * Enables/disables or promotes/demotes a user. The last enabled admin can be neither disabled
   * nor demoted: the admin rows are locked so two concurrent demotions cannot both pass.
   */
  async updateUser(actor: AuthPrincipal, id: string, change: { disabled?: boolean; isAdmin?: boolean }): Promise<UserEntity> {
    // @IsOptional() lets an explicit null through; it reached the NOT NULL columns and answered 500.
    const nulls = (['disabled', 'isAdmin'] as const).filter((field) => change[field] === null);
    if (nulls.length) throw AppError.validation(nulls.map((field) => ({ field, message: `${field} must be a boolean value` })));
    await this.dataSource.transaction(async (tx) => {
      const admins: { id: string }[] = await tx.query('SELECT id FROM users WHERE is_admin AND NOT disabled ORDER BY id FOR UPDATE');
      const target = await tx.getRepository(UserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!target) throw new AppError('not_found', `User (id: ${id}) is not found`);
      const losesAdmin = target.isAdmin && !target.disabled && (change.disabled === true || change.isAdmin === false);
      if (losesAdmin && admins.length === 1) {
        throw new AppError('bad_request', 'The last enabled administrator cannot be disabled or demoted');
      }
      await tx.getRepository(UserEntity).update(
        { id },
        {
          ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
          ...(change.isAdmin !== undefined ? { isAdmin: change.isAdmin } : {}),
          updatedAt: new Date(),
        },
      );
      await this.audit.record(tx, { action: 'admin.user.update', actor, resource: { type: 'user', id }, details: change });
      await this.identityCache.changed(tx, `user:${id}`);
    });
    return this.getUser(id);
  }

  /** A new secret, and so a new version (counted by the database); access tokens issued under the old one stop working at once. */
  async rotateSecret(actor: AuthPrincipal, id: string, secret?: string): Promise<UserWithSecret> {
    if (secret !== undefined) assertSecretStrength(secret);
    const newSecret = secret ?? newClientSecret();
    const hash = await hashSecret(newSecret, secret === undefined ? 'generated' : 'chosen');
    await this.dataSource.transaction(async (tx) => {
      const result = await tx
        .getRepository(UserEntity)
        .update({ id }, { secretHash: hash, secretRotatedAt: new Date(), updatedAt: new Date() });
      if (!result.affected) throw new AppError('not_found', `User (id: ${id}) is not found`);
      await this.audit.record(tx, { action: 'admin.user.rotate_secret', actor, resource: { type: 'user', id }, details: { secretGenerated: secret === undefined } });
      await this.identityCache.changed(tx, `user:${id}`);
    });
    return { user: await this.getUser(id), generatedSecret: secret === undefined ? newSecret : undefined };
  }
}

function assertSecretStrength(secret: string): void {
  // An explicit `null` passes the DTO's @IsOptional(); it crashed on `.length` (500).
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    throw AppError.validation([{ field: 'secret', message: `must be ${MIN_SECRET_LENGTH}-${MAX_SECRET_LENGTH} characters` }]);
  }
  if (SECRET_CONTROL_CHARACTER.test(secret)) throw AppError.validation([{ field: 'secret', message: 'must not contain control characters' }]);
}
