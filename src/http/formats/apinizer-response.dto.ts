/** Error body of everything under /apiops. */
export class ApinizerValidationErrorDto {
  field!: string;
  message!: string;
}

export class ApinizerErrorDto {
  /** bad_request, validation_failed, invalid_token, token_expired, forbidden, not_found or internal_error. @example bad_request */
  error!: string;
  /** @example Key (name: my-key) is already exist! Try update operation if want to change its value. */
  error_description!: string;
  validation_errors?: ApinizerValidationErrorDto[];
}
