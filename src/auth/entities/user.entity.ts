import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  /** 24 hex digits, the `createdBy` format of the key-store API. */
  @PrimaryColumn({ type: 'char', length: 24 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin: boolean;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** scrypt hash of the client secret; the secret itself is never stored. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  /** When the secret was last set; revocation goes by secretVersion, which no clock can blur. */
  @Column({ name: 'secret_rotated_at', type: 'timestamptz' })
  secretRotatedAt: Date;

  /** Counted up by every rotation; an access token is good only under the version it was issued for. */
  @Column({ name: 'secret_version', type: 'integer', default: 1 })
  secretVersion: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
