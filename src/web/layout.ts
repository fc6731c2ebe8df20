import type { NavLink } from '../features/feature.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { html, type SafeHtml } from './html.ts';

export interface LayoutOptions {
  title: string;
  /** Undefined on pages served for unknown and central hosts. */
  tenant?: Tenant | undefined;
  user?: { displayName: string } | undefined;
  /** The features' links this visitor sees. */
  nav?: NavLink[];
  body: SafeHtml;
}

/** The page shell: the tenant's name and colour on every page, so isolation is visible at a glance. */
export function layout({ title, tenant, user, nav = [], body }: LayoutOptions): string {
  const brand = tenant?.color ?? '#57606a';
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
          }
        </style>
      </head>
      <body>
        <header class="bar">
          <a class="tenant" href="/">${tenant?.name ?? 'tenantry'}</a>
          ${
            nav.length > 0
              ? html`<nav aria-label="Main">
                  <ul class="nav">
                    ${nav.map((link) => html`<li><a href="${link.path}">${link.label}</a></li>`)}
                  </ul>
                </nav>`
              : ''
          }
          ${
            user
              ? html`<form class="who" method="post" action="/logout">
                  <span data-testid="signed-in-as"
                    >Signed in as <strong>${user.displayName}</strong></span
                  >
                  <button type="submit">Sign out</button>
                </form>`
              : tenant
                ? html`<a class="who" href="/login">Sign in</a>`
                : ''
          }
        </header>
        <main>${body}</main>
      </body>
    </html> `.value;
}
