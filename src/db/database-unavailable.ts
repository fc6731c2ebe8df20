import pg from 'pg';

/** Seconds a client should wait before retrying while the database is down. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * The database could not answer (down, paused, unreachable, timed out, out of connections).
 * Thrown by the connection layer itself, so repositories await queries plainly. It carries
 * http-errors' shape (status, expose, headers), so the app's one error handler answers 503 with
 * Retry-After and this fixed message; the driver's own error (never shown) is the cause.
 */
export class DatabaseUnavailableError extends Error {
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;
  readonly retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;
  readonly headers = { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) };
  constructor(cause: unknown, message = 'The database is not answering. Try again in a moment.') {
    super(message, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * SQLSTATEs that mean "the server cannot serve right now", not "this query is wrong":
 * connection exceptions (08), shutdown and start-up (57P01-57P03), a statement cut by
 * statement_timeout (57014), too many connections (53300).
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);

/** What pg says when a connection ended or a reply never came (it gives these no code). */
const LOST_CONNECTION =
  /^(Query read timeout|Connection terminated|Client has encountered a connection error|Client was closed)/;

/**
 * Whether a query's `err` says the database is unreachable rather than refusing the query: a
 * socket error, a reply that never came, a connection that ended, or one of the server's codes
 * above. Constraint violations and the like stay as they are.
 */
export function isOutage(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? '';
    return code.startsWith('08') || UNAVAILABLE_CODES.has(code);
  }
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && code.startsWith('E')) || LOST_CONNECTION.test(err.message);
}
