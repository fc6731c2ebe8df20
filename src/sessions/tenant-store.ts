import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Kv } from '../store/store.ts';
import { withoutTouch } from '../web/fast-paths.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

/** Marks a session object read from the store (one request's req.session). */
const READ_FROM_STORE = Symbol('read from the store');
type Marked = { [READ_FROM_STORE]?: true };

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
 * - A read costs one command (GETEX slides the idle lifetime as it reads); nothing is written back
 *   for a session that did not change.
 * - Failures that can still change the answer reach the error handler (a StoreUnavailableError from
 *   the store layer: 503); failures after the answer is decided
 *   (cutting the TTL back near the absolute end, the second save of a login that already saved) are not
 *   passed on, since express-session reports them once the response has started, where all it
 *   can do is cut the connection.
 */
export class TenantStore extends RedisStore {
  /** Session objects written once already. */
  readonly #written = new WeakSet<SessionData>();
  readonly #kv: Kv;
  readonly #ttl: (sess: SessionData) => number;
  readonly #tenantId: string;
  readonly #absoluteMs: number;
  readonly #ttlSeconds: number;
  readonly #slide: { type: 'EX'; value: number };

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
    this.#ttlSeconds = ttlSeconds;
    this.#slide = { type: 'EX', value: ttlSeconds };
    withoutTouch(this); // get() slides the TTL already (GETEX)
  }

  #belongsHere(sess: Partial<SessionData>): boolean {
    return sess.tenantId === this.#tenantId && endOf(sess, this.#absoluteMs) > Date.now();
  }

  /**
   * GETEX reads the session and slides its idle lifetime in one command, so a signed-in read
   * costs one Redis command and there is nothing left to touch. Only in the last idle lifetime
   * before its absolute end is the TTL cut back, with one more command.
   */
  override get(sid: string, cb?: Callback) {
    return this.#kv.getEx(this.prefix + sid, this.#slide).then(
      (raw) => this.#loaded(sid, raw, cb),
      (err: unknown) => cb?.(err),
    );
  }

  #loaded(sid: string, raw: string | null, cb: Callback | undefined): unknown {
    if (raw === null) return cb?.(null, null);
    let data: Partial<SessionData>;
    try {
      data = this.serializer.parse(raw) as Partial<SessionData>;
    } catch (err) {
      return cb?.(err);
    }
    if (!this.#belongsHere(data)) {
      // Defence in depth behind the key prefix and the per-tenant signing key.
      return this.destroy(sid, (destroyErr) => cb?.(destroyErr, null));
    }
    const ttl = this.#ttl(data as SessionData);
    if (ttl >= this.#ttlSeconds) return cb?.(null, data);
    // The answer is already decided: a failure here only leaves the TTL a little long, and the
    // absolute end is checked on every read anyway.
    return this.#kv
      .expire(this.prefix + sid, ttl)
      .catch(() => undefined)
      .then(() => cb?.(null, data));
  }

  override createSession(...args: Parameters<RedisStore['createSession']>) {
    const session = super.createSession(...args);
    // A symbol key: JSON (the store's serialiser, express-session's change hash) never sees it.
    (session as Marked)[READ_FROM_STORE] = true;
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
    if ((sess as Marked)[READ_FROM_STORE] !== true || ttl <= 0) {
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
}

/**
 * Epoch ms at which a session ends for good: its start plus the tenant's absolute lifetime now,
 * and never past the end fixed at sign-in. A session without a start has already ended.
 */
export const endOf = (sess: Partial<SessionData>, absoluteMs: number) =>
  Math.min((sess.createdAt ?? -Infinity) + absoluteMs, sess.endsAt ?? Infinity);
