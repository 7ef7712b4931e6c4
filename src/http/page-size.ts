import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/**
 * A page size from the query string: plain decimal digits only (Number() read "0x10" as 16,
 * "1e1" as 10 and " 1" as 1), from 1 to `max`, refused with one message that says all of it.
 */
export function IsPageSize(max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    ValidateBy(
      { name: 'isPageSize', validator: { validate: (value) => Number.isInteger(value) && value >= 1 && value <= max } },
      { message: `$property must be an integer from 1 to ${max}` },
    ),
  );
}
