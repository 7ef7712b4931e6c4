/** Error body of everything under /v1. */
export class AppliveryFieldErrorDto {
  field!: string;
  message!: string;
}

export class AppliveryErrorDetailDto {
  /** 3000 validation, 3001 not found, 4002 no token, 4003 forbidden, 4004 invalid token, 4005 expired token, 5001 conflict, 1000 internal. @example 4002 */
  code!: number;
  /** @example No auth token */
  message!: string;
  data?: AppliveryFieldErrorDto[];
}

export class AppliveryErrorDto {
  /** @example false */
  status!: boolean;
  error!: AppliveryErrorDetailDto;
}
