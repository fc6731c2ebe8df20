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
  status?: number;
}

/** An error page is titled "Error: …", so that a screen reader says so first. */
export function sendPage(req: Request, res: Response, { title, body, status = 200 }: PageOptions) {
  const nav = (req.app.locals.nav ?? []).filter((link) => (link.when ?? signedIn)(req.user));
  const page = layout({
    title: status >= 400 ? `Error: ${title}` : title,
    tenant: req.tenant,
    user: req.user,
    nav,
    currentPath: req.originalUrl.split('?')[0],
    body,
  });
  res.status(status).type('html').send(page);
}
