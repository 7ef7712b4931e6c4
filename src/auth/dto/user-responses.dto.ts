import { ChargeworxResponseDto } from '../../http/formats/chargeworx-response.dto.js';
import { UserDto } from './user.dto.js';

export class UserCommandResponseDto extends ChargeworxResponseDto {
  id!: string;
  user!: UserDto;
  /** The generated secret, shown this once; absent when the caller chose the secret. */
  secret?: string;
}

export class UserListResponseDto extends ChargeworxResponseDto {
  users!: UserDto[];
}
