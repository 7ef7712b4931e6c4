import { ChargeworxCode } from './chargeworx.format.js';

/** The fields every /api/adm answer carries. */
export class ChargeworxResponseDto {
  /** True if the operation completed successfully; false if an error occurred. */
  success!: boolean;
  /** Result code: Unknown=0, Success=200, BadRequest=400, Unauthorized=401, NotFound=404, Error=500. @example 200 */
  code!: ChargeworxCode;
  /** Human-readable error message when an error occurs. @example null */
  errorMessage!: string | null;
}

export class ChargeworxFieldErrorDto {
  field!: string;
  message!: string;
}

export class ChargeworxErrorDto extends ChargeworxResponseDto {
  /** Present on validation failures. */
  validationErrors?: ChargeworxFieldErrorDto[];
}
