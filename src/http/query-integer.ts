import { Transform } from 'class-transformer';

/**
 * A query-string integer: only plain decimal digits become a number, anything else reaches
 * @IsInt() as it came and is refused. Number() read "0x10" as 16, "1e1" as 10 and " 1" as 1.
 */
export const QueryInteger = (): PropertyDecorator => Transform(({ value }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value));
