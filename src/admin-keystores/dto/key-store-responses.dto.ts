import { ChargeworxResponseDto } from '../../http/formats/chargeworx-response.dto.js';

export const KEY_STORE_STATUSES = ['Scheduled', 'Active', 'Superseded', 'Expired', 'Deleted'] as const;
export type KeyStoreStatus = (typeof KEY_STORE_STATUSES)[number];

export class KeyStoreEntryDto {
  /** @example 3fa85f64-5717-4562-b3fc-2c963f66afa6 */
  id!: string;
  activationDate!: string;
  expirationDate!: string;
  /** True for the one entry encrypting new values now. */
  isActive!: boolean;
  status!: KeyStoreStatus;
  description!: string | null;
  /** HMAC-SHA256 of the key under a key derived from the master key: identifies, never reveals. */
  fingerprint!: string;
  /** 128, 192 or 256. */
  keyBits!: number;
  createdAt!: string;
  createdBy!: string | null;
  /** Stored values this entry still encrypts. */
  protectedRecords!: number;
}

export class KeyStoreCommandResponseDto extends ChargeworxResponseDto {
  /** @example 3fa85f64-5717-4562-b3fc-2c963f66afa6 */
  id!: string;
  /** The same as `id` (the seed's example names it so). */
  keystoreId!: string;
}

export class KeyStoreEntryResponseDto extends KeyStoreCommandResponseDto {
  entry!: KeyStoreEntryDto;
}

export class KeyStoreListResponseDto extends ChargeworxResponseDto {
  entries!: KeyStoreEntryDto[];
}

export class ActualKeyStoreResponseDto extends ChargeworxResponseDto {
  entry!: KeyStoreEntryDto;
}

export class RewrapResponseDto extends ChargeworxResponseDto {
  activeEntryId!: string;
  /** Values moved to the active entry by this run. */
  rewrapped!: number;
  /** Values still under another entry (being written during the run); the next run takes them. */
  remaining!: number;
}
