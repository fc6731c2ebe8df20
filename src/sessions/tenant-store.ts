import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Kv } from '../store/store.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

export interface TenantStoreOptions {
  kv: Kv;
  /** `sessions:<tenant>:<app>:` */
  prefix: string;
  tenantId: string;
  ttlSeconds: number;
  absoluteSeconds: number;
}

/**
 * One tenant's session store: connect-redis under the tenant's prefix, plus the rules that make a
 * session valid only where and while it should be, and store failures that read as a 503.
 * - Every stored session names its tenant and its start (stamped on first write), and is read back
 *   only on that tenant and within its absolute lifetime. Anything else (a value copied from
 *   another tenant's prefix, an expired session) is deleted and reads as absent, so express-session
 *   treats the visitor as new: anonymous, no cookie, nothing written.
 * - A session that a request read is written back only while its key still exists (SET … XX): a
 *   logout during a slow request that changed the session stays a logout.
 * - Failures that can still change the answer reach the error handler (a StoreUnavailableError from
 *   the store layer: 503); failures after the answer is decided
 *   (the TTL refresh as the response ends, the second save of a login that already saved) are not
 *   passed on, since express-session reports them once the response has started, where all it
 *   can do is cut the connection.
 */
export class TenantStore extends RedisStore {
  /** Sessions read from this store, by object: each is one request's req.session. */
  readonly #readFromStore = new WeakSet<object>();
  /** Session objects written once already. */
  readonly #written = new WeakSet<SessionData>();
  readonly #kv: Kv;
  readonly #ttl: (sess: SessionData) => number;
  readonly #tenantId: string;
  readonly #absoluteMs: number;

  constructor({ kv, prefix, tenantId, ttlSeconds, absoluteSeconds }: TenantStoreOptions) {
    const absoluteMs = absoluteSeconds * 1000;
    // Redis TTL: the idle lifetime, but never past the absolute end of the session.
    const ttl = (sess: SessionData) =>
      Math.min(ttlSeconds, Math.floor((endOf(sess, absoluteMs) - Date.now()) / 1000));
    super({ client: kv, prefix, ttl });
    this.#kv = kv;
    this.#ttl = ttl;
    this.#tenantId = tenantId;
    this.#absoluteMs = absoluteMs;
  }

  #belongsHere(sess: Partial<SessionData>): boolean {
    return sess.tenantId === this.#tenantId && endOf(sess, this.#absoluteMs) > Date.now();
  }

  override get(sid: string, cb?: Callback) {
    return super.get(sid, (err, data?: Partial<SessionData> | null) => {
      if (err) return cb?.(err);
      if (!data || this.#belongsHere(data)) return cb?.(null, data);
      // Defence in depth behind the key prefix and the per-tenant signing key.
      return this.destroy(sid, (destroyErr) => cb?.(destroyErr, null));
    });
  }

  override createSession(...args: Parameters<RedisStore['createSession']>) {
    const session = super.createSession(...args);
    this.#readFromStore.add(session);
    return session;
  }

  override async set(sid: string, sess: SessionData, cb?: Callback) {
    sess.tenantId ??= this.#tenantId;
    sess.createdAt ??= Date.now();
    const done = (err?: unknown) => {
      if (!err) this.#written.add(sess);
      // express-session saves a regenerated session again as the response ends, after the
      // route has saved it and answered (login). That copy is already in the store.
      else if (this.#written.has(sess)) return cb?.();
      return cb?.(err);
    };
    const ttl = this.#ttl(sess);
    if (!this.#readFromStore.has(sess) || ttl <= 0) {
      await super.set(sid, sess, done); // connect-redis deletes the key when the TTL is over
      return;
    }
    try {
      await this.#kv.set(this.prefix + sid, this.serializer.stringify(sess), {
        expiration: { type: 'EX', value: ttl },
        condition: 'XX',
      });
    } catch (err) {
      done(err);
      return;
    }
    done();
  }

  override touch(sid: string, sess: SessionData, cb?: Callback) {
    // Runs as the response ends, with the answer already made from a session that was read: a
    // lost TTL refresh only lets the session expire a little sooner than it would have.
    return super.touch(sid, sess, () => cb?.());
  }
}

/**
 * Epoch ms at which a session ends for good: its start plus the tenant's absolute lifetime now,
 * and never past the end fixed at sign-in. A session without a start has already ended.
 */
export const endOf = (sess: Partial<SessionData>, absoluteMs: number) =>
  Math.min((sess.createdAt ?? -Infinity) + absoluteMs, sess.endsAt ?? Infinity);
