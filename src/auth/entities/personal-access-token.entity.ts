import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('personal_access_tokens')
export class PersonalAccessTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'char', length: 24 })
  userId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** SHA-256 of the token: tokens are 256-bit random, so a fast hash cannot be brute-forced. */
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  /** The token's first characters, so a user can tell tokens apart in a list. */
  @Column({ name: 'token_hint', type: 'varchar', length: 16 })
  tokenHint: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
