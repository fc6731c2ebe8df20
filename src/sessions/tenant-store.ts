import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import createError from 'http-errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

/** Seconds a client should wait before retrying while the store is down. */
export const STORE_RETRY_AFTER_SECONDS = 2;

export const storeUnavailable = (cause: unknown) =>
  createError(503, 'The session store is not answering. Try again in a moment.', {
    expose: true,
    headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
    cause,
  });

const asUnavailable = (cb?: Callback): Callback | undefined =>
  cb && ((err, data) => cb(err ? storeUnavailable(err) : err, data));

/** connect-redis, with every store failure turned into a 503 the error handler can show. */
export class TenantStore extends RedisStore {
  override get(sid: string, cb?: Callback) {
    return super.get(sid, asUnavailable(cb));
  }
  override set(sid: string, sess: SessionData, cb?: Callback) {
    return super.set(sid, sess, asUnavailable(cb));
  }
  override touch(sid: string, sess: SessionData, cb?: Callback) {
    return super.touch(sid, sess, asUnavailable(cb));
  }
  override destroy(sid: string, cb?: Callback) {
    return super.destroy(sid, asUnavailable(cb));
  }
}
