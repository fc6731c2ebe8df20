import type { Router } from 'express';
import type { Config } from '../config.ts';
import type { Stores } from '../store/stores.ts';

/** The places an app's own routers go; each router sees `req.tenant`. See src/features/. */
export interface AppRoutes {
  /**
   * Before the session: no cookie is read or set and no store is touched, so these answer even
   * while Redis is away (webhooks, public JSON, anything authenticated by its own means). No
   * cross-origin check either: without the session cookie there is nothing to forge.
   */
  beforeSession?: Router[];
  /** Tenant pages: after the session (`req.user`) and the cross-origin check. */
  pages?: Router[];
  /**
   * The JSON API, mounted at /api: as pages, plus a JSON body parser (16 KB, JSON types only) and
   * errors as JSON. The cross-origin check applies: it is cookie-authenticated.
   */
  api?: Router[];
}

/** What a feature may use: the same dependencies the app is built from. */
export interface FeatureDeps {
  config: Config;
  stores: Stores;
}
