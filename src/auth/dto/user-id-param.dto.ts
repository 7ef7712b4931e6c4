import { Matches } from 'class-validator';

export class UserIdParam {
  /** 24 hex digits. @example 65a1f0c2e4b0a1b2c3d4e5f6 */
  @Matches(/^[a-f0-9]{24}$/, { message: 'id must be 24 lowercase hex digits' })
  id!: string;
}
