import type { Request, Response } from 'express';
import { signedIn, type NavLink } from '../features/feature.ts';
import type { SafeHtml } from './html.ts';
import { layout } from './layout.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Every feature's navigation links, in order (createApp sets them on app.locals). */
      nav?: NavLink[];
    }
  }
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Default 200. */
  status?: number;
}

/** Answers with a page in the tenant's layout, its navigation filtered for this visitor. */
export function sendPage(req: Request, res: Response, { title, body, status = 200 }: PageOptions) {
  const nav = (req.app.locals.nav ?? []).filter((link) => (link.when ?? signedIn)(req.user));
  const page = layout({ title, tenant: req.tenant, user: req.user, nav, body });
  res.status(status).type('html').send(page);
}
