import type { SessionData } from 'express-session';
import type { Kv } from './kv.ts';
import { storeUnavailable, TenantStore } from './tenant-store.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

export interface GuardedStoreOptions {
  kv: Kv;
  /** `sessions:<tenant>:<app>:` */
  prefix: string;
  tenantId: string;
  ttlSeconds: number;
  absoluteSeconds: number;
}

/**
 * One tenant's session store: TenantStore plus the checks that make a session valid only where
 * and while it should be.
 * - Every stored session names its tenant and its start (stamped on first write), and a session
 *   is only read back on that tenant and within its absolute lifetime: anything else (a value
 *   copied from another tenant's prefix, an expired session) is deleted and reads as absent, so
 *   express-session treats the visitor as new: anonymous, no cookie, nothing written.
 * - A session that a request read is written back only while its key still exists (SET … XX): a
 *   logout during a slow request that changed the session stays a logout.
 */
export class GuardedTenantStore extends TenantStore {
  /** Sessions read from this store, by object: each is one request's req.session. */
  readonly #readFromStore = new WeakSet<object>();
  readonly #kv: Kv;
  readonly #ttl: (sess: SessionData) => number;
  readonly #tenantId: string;
  readonly #absoluteMs: number;

  constructor({ kv, prefix, tenantId, ttlSeconds, absoluteSeconds }: GuardedStoreOptions) {
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
      if (err || !data || this.#belongsHere(data)) return cb?.(err, data);
      // Defence in depth behind the key prefix and the per-tenant signing key.
      return this.destroy(sid, (destroyErr) => cb?.(destroyErr, null));
    });
  }

  override createSession(...args: Parameters<TenantStore['createSession']>) {
    const session = super.createSession(...args);
    this.#readFromStore.add(session);
    return session;
  }

  override async set(sid: string, sess: SessionData, cb?: Callback) {
    sess.tenantId ??= this.#tenantId;
    sess.createdAt ??= Date.now();
    const ttl = this.#ttl(sess);
    if (!this.#readFromStore.has(sess) || ttl <= 0) {
      await super.set(sid, sess, cb); // connect-redis deletes the key when the TTL is over
      return;
    }
    try {
      await this.#kv.set(this.prefix + sid, this.serializer.stringify(sess), {
        expiration: { type: 'EX', value: ttl },
        condition: 'XX',
      });
    } catch (err) {
      cb?.(storeUnavailable(err));
      return;
    }
    cb?.();
  }
}

/** Epoch ms at which a session ends for good; a session without a start has already ended. */
const endOf = (sess: Partial<SessionData>, absoluteMs: number) =>
  (sess.createdAt ?? -Infinity) + absoluteMs;
