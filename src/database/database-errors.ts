/**
 * True when an error means the database could not be reached or the session was cut
 * (server down, connection refused, backend terminated), as opposed to a bad statement.
 * Such failures answer 503: the request may be retried once the database is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const driverError = (error as { driverError?: unknown }).driverError;
  if (typeof code === 'string') {
    // 08xxx connection exceptions, 57P01-57P03 admin shutdown / crash / cannot connect now.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return true;
  }
  if (driverError !== undefined && driverError !== error && isDatabaseUnavailable(driverError)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed/i.test(error.message);
}
