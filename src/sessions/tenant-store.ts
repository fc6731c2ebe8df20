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
  prefix: string;
  tenantId: string;
  ttlSeconds: number;
  absoluteSeconds: number;
}

/**
 * connect-redis under the tenant's prefix. A session reads back only on its own tenant and within
 * its absolute lifetime (else it is deleted and reads as absent); one a request read is written
 * back only while its key exists (SET XX), so a logout during a slow request stays a logout.
 * Failures after the answer is decided are dropped: express-session could only cut the connection.
 */
export class TenantStore extends RedisStore {
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

  /** GETEX reads and slides the idle lifetime in one command: nothing is left to touch. */
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

/** Epoch ms of the absolute end under today's policy, never past the one fixed at sign-in. */
export const endOf = (sess: Partial<SessionData>, absoluteMs: number) =>
  Math.min((sess.createdAt ?? -Infinity) + absoluteMs, sess.endsAt ?? Infinity);
