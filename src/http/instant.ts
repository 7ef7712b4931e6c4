import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, isISO8601, ValidateBy } from 'class-validator';

/**
 * RFC 3339's date-time, its offset optional, or a bare date: the ISO 8601 forms these APIs take.
 * Week dates (2027-W01-1), ordinal dates (2027-123) and the basic format are ISO 8601 too, but
 * Date cannot read them; and Date reads a date-time without an offset in the process's own time
 * zone, so two instances would store one request as two instants. A fraction finer than a
 * millisecond only as zeros: a Date holds milliseconds, and cutting the rest would store another
 * instant than the one sent.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(?<time>T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3}0{0,6})?)?(?<offset>Z|[+-]\d{2}:\d{2})?)?$/;

/** The instant `value` names, read as UTC when it gives no offset, and whether it is a bare date. */
function readInstant(value: string): { instant: Date; bareDate: boolean } | undefined {
  const match = INSTANT.exec(value);
  // Strict isISO8601 checks the calendar (2027-02-29, hour 24), which Date would roll over.
  if (!match || !isISO8601(value, { strict: true, strictSeparator: true })) return undefined;
  const { time, offset } = match.groups ?? {};
  const instant = new Date(time && !offset ? `${value}Z` : value);
  // An offset can carry 9999-12-31 past year 9999 in UTC, which toISOString writes as +010000-….
  const year = instant.getUTCFullYear();
  return Number.isNaN(year) || year < 0 || year > 9999 ? undefined : { instant, bareDate: !time };
}

/** The instant `value` names, read as UTC when it gives no offset; undefined when it is not one. */
export function parseInstant(value: string): Date | undefined {
  return readInstant(value)?.instant;
}

/** What to tell a caller whose `field` parseInstant cannot read. */
export const instantMessage = (field: string) =>
  `${field} must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z (UTC when it has no offset, to the millisecond) or a date`;

/** A DTO field taking an instant as parseInstant reads it: the handler gets a Date. `field` names it in the message. */
export function IsInstant(field: string): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? (parseInstant(value) ?? value) : value)),
    IsDate({ message: instantMessage(field) }),
  );
}

/** As IsInstant, but the handler gets the text, for fields where a bare date means the whole day. */
export function IsInstantText(field: string): PropertyDecorator {
  return ValidateBy({ name: 'isInstantText', validator: { validate: (value) => typeof value === 'string' && parseInstant(value) !== undefined } }, { message: instantMessage(field) });
}

/** The UTC day `text` names when it is a bare date (2024-01-01), as [start, end). */
export function utcDay(text: string): [Date, Date] | undefined {
  const read = readInstant(text);
  return read?.bareDate ? [read.instant, new Date(read.instant.getTime() + 86_400_000)] : undefined;
}
