import type { SessionData } from 'express-session';
import type { Kv } from './kv.ts';
import { storeUnavailable, TenantStore } from './tenant-store.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callback data types vary by method
type Callback = (err?: unknown, data?: any) => unknown;

export interface GuardedStoreOptions {
  kv: Kv;
  prefix: string;
  ttl: (sess: SessionData) => number;
}

/**
 * TenantStore, plus one rule: a session that a request read from the store is written back only
 * while its key still exists (SET … XX). A logout, or the end of the session's lifetime, while a
 * slow request that changed the session is still running therefore stays final; without this,
 * express-session's save at the end of that request would write the signed-in session back.
 * Sessions made in this request (login, regenerate) are written as usual.
 */
export class GuardedTenantStore extends TenantStore {
  /** Sessions read from this store, by object: each is one request's req.session. */
  readonly #readFromStore = new WeakSet<object>();
  readonly #kv: Kv;
  readonly #ttl: (sess: SessionData) => number;

  constructor({ kv, prefix, ttl }: GuardedStoreOptions) {
    super({ client: kv, prefix, ttl });
    this.#kv = kv;
    this.#ttl = ttl;
  }

  override createSession(...args: Parameters<TenantStore['createSession']>) {
    const session = super.createSession(...args);
    this.#readFromStore.add(session);
    return session;
  }

  override async set(sid: string, sess: SessionData, cb?: Callback) {
    const ttl = this.#ttl(sess);
    if (!this.#readFromStore.has(sess) || ttl <= 0) {
      await super.set(sid, sess, cb);
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
