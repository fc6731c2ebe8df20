/** Seconds a client should wait before retrying while the store is down. */
export const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * The store could not answer (down, paused, timed out, failing over). Thrown by the store layer
 * itself, so routes await store calls plainly; the one error handler answers 503 with Retry-After.
 */
export class StoreUnavailableError extends Error {
  readonly status = 503;
  readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS;
  constructor(
    cause: unknown,
    message = 'The session store is not answering. Try again in a moment.',
  ) {
    super(message, { cause });
    this.name = 'StoreUnavailableError';
  }
}
