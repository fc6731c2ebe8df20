import pg from 'pg';

/** Seconds a client should wait before retrying while the database is down. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Thrown by the connection layer, so repositories await queries plainly. In http-errors' shape, so
 * the one error handler answers 503 with Retry-After; the driver's error is the (unshown) cause.
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

/** Unreachable, not refusing the query: constraint violations and the like stay as they are. */
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
