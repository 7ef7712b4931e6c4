import { QueryFailedError } from 'typeorm';

export const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE of a PostgreSQL error, thrown directly by \`pg\` or wrapped by TypeORM. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { driverError?: { code?: unknown } })?.driverError?.code ?? (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function violates(error: unknown, code: string, constraint: (name: string) => boolean): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === code && constraint(driverError.constraint ?? '');
}

/** SQLSTATE 23505: a unique constraint settled a race or a duplicate. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return violates(error, '23505', (name) => constraint === undefined || name === constraint);
}

/** SQLSTATE 23503 from a foreign key whose name `constraint` accepts. */
export function isForeignKeyViolation(error: unknown, constraint: (name: string) => boolean): boolean {
  return violates(error, FOREIGN_KEY_VIOLATION, constraint);
}
