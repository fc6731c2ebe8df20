import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import createError, { isHttpError } from 'http-errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

/** Seconds a client should wait before retrying while the store is down. */
export const STORE_RETRY_AFTER_SECONDS = 2;

export const storeUnavailable = (cause: unknown) =>
  isHttpError(cause)
    ? cause
    : createError(503, 'The session store is not answering. Try again in a moment.', {
        expose: true,
        headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
        cause,
      });

const asUnavailable = (cb?: Callback): Callback | undefined =>
  cb && ((err, data) => cb(err ? storeUnavailable(err) : err, data));

/**
 * connect-redis, with every store failure that can still change the answer turned into a 503 the
 * error handler can show. Failures after the answer is decided are not passed on: express-session
 * reports them once the response has started, where all it can do is cut the connection.
 */
export class TenantStore extends RedisStore {
  /** Session objects written once already; each request inflates its own object. */
  readonly #written = new WeakSet<SessionData>();

  override get(sid: string, cb?: Callback) {
    return super.get(sid, asUnavailable(cb));
  }
  override set(sid: string, sess: SessionData, cb?: Callback) {
    return super.set(sid, sess, (err, data) => {
      if (!err) this.#written.add(sess);
      // express-session saves a regenerated session again as the response ends, after the
      // route has saved it and answered (login). That copy is already in the store.
      else if (this.#written.has(sess)) return cb?.();
      return cb?.(err ? storeUnavailable(err) : err, data);
    });
  }
  override touch(sid: string, sess: SessionData, cb?: Callback) {
    // Runs as the response ends, with the answer already made from a session that was read: a
    // lost TTL refresh only lets the session expire a little sooner than it would have.
    return super.touch(sid, sess, () => cb?.());
  }
  override destroy(sid: string, cb?: Callback) {
    return super.destroy(sid, asUnavailable(cb));
  }
}
