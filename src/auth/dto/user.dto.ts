import { PickType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { UserEntity } from '../entities/user.entity.js';

export class CreateUserDto {
  /** Unique; also the OAuth client_id. @example deploy-bot */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/, { message: 'username must be 2-64 letters, digits, ".", "_", "@" or "-"' })
  username!: string;

  @IsOptional()
  @IsBoolean()
  isAdmin?: boolean;

  /** Omit to have a strong secret generated and returned once. */
  @IsOptional()
  @IsString()
  @Length(12, 256)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'secret must not contain control characters' })
  secret?: string;
}

export class UpdateUserDto {
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @IsOptional()
  @IsBoolean()
  isAdmin?: boolean;
}

/** The secret's rules are those of a new user's. */
export class RotateSecretDto extends PickType(CreateUserDto, ['secret'] as const) {}

export class UserDto {
  /** @example 65a1f0c2e4b0a1b2c3d4e5f6 */
  id!: string;
  username!: string;
  isAdmin!: boolean;
  disabled!: boolean;
  createdAt!: string;
  updatedAt!: string;
}

export function mapUser(user: UserEntity): UserDto {
  return {
    id: user.id,
    username: user.username,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
