import type { Router } from 'express';
import type { SignedInUser } from '../sessions/session-data.ts';

/** A link in every page's navigation, shown to the visitors `when` picks. */
export interface NavLink {
  label: string;
  path: string;
  /** Default: signed-in users only. */
  when?: (user: SignedInUser | undefined) => boolean;
}

/**
 * Each router is mounted at the feature's prefix, so a request enters only the features whose path
 * it has, and a guard on a whole router covers that feature and nothing else.
 */
export interface Feature {
  prefix: string;
  /**
   * Before the session, at `prefix`: no cookie is read or set and no store touched (webhooks,
   * public JSON, anything authenticated by its own means); no cross-origin check either.
   */
  beforeSession?: Router;
  /** Tenant pages at `prefix`: after the session (`req.user`) and the cross-origin check. */
  pages?: Router;
  /** The JSON API at `/api` + `apiPrefix` (default `prefix`): JSON bodies, errors as JSON. */
  api?: Router;
  apiPrefix?: string;
  nav?: NavLink[];
}

export const signedIn = (user: SignedInUser | undefined) => user !== undefined;
