import type { NavLink } from '../features/feature.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { textColorOn } from './contrast.ts';
import { html, type SafeHtml } from './html.ts';
import { siteHeader } from './site-header.ts';

export interface LayoutOptions {
  title: string;
  /** Undefined on pages served for unknown and central hosts. */
  tenant?: Tenant | undefined;
  user?: { displayName: string } | undefined;
  /** The features' links this visitor sees. */
  nav?: NavLink[];
  /** This page's path: its navigation link is marked aria-current. */
  currentPath?: string | undefined;
  body: SafeHtml;
}

const NEUTRAL = '#57606a';

/**
 * The page shell: the tenant's name and colour on every page, so isolation is visible at a
 * glance. Text on the colour is black or white, whichever reads at 4.5:1 (web/contrast.ts).
 */
export function layout({
  title,
  tenant,
  user,
  nav = [],
  currentPath,
  body,
}: LayoutOptions): string {
  const brand = tenant?.color ?? NEUTRAL;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}${tenant ? ` · ${tenant.name}` : ''}</title>
        <link rel="stylesheet" href="/assets/site.css" />
        <style>
          :root {
            --brand: ${brand};
            --on-brand: ${textColorOn(brand)};
          }
        </style>
      </head>
      <body>
        <a class="skip-link" href="#main-content">Skip to main content</a>
        ${siteHeader({ tenant, user, nav, currentPath })}
        <main id="main-content">${body}</main>
      </body>
    </html> `.value;
}
