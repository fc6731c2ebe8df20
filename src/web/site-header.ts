import type { NavLink } from '../features/feature.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { attributes, html, type SafeHtml } from './html.ts';

export interface SiteHeaderOptions {
  tenant?: Tenant | undefined;
  user?: { displayName: string } | undefined;
  nav: NavLink[];
  currentPath?: string | undefined;
}

/** Whether `path` is the link's page or one below it (`/notes/…` is under Notes). */
const isCurrent = (link: string, path: string | undefined) =>
  path !== undefined && (path === link || (link !== '/' && path.startsWith(`${link}/`)));

const link = (className: string, href: string, text: string, path: string | undefined) =>
  html`<a${attributes({
    class: className,
    href,
    'aria-current': isCurrent(href, path) ? 'page' : undefined,
  })}>${text}</a>`;

export function siteHeader({ tenant, user, nav, currentPath }: SiteHeaderOptions): SafeHtml {
  const account = user
    ? html`<form class="site-header__account" method="post" action="/logout">
        <span class="site-header__user" data-testid="signed-in-as"
          ><span class="site-header__label">Signed in as </span
          ><strong>${user.displayName}</strong></span
        >
        <button type="submit" class="site-header__button">Sign out</button>
      </form>`
    : tenant
      ? link('site-header__link', '/login', 'Sign in', currentPath)
      : '';
  const links = tenant ? nav : [];
  // The most specific link is the current one: /account/sessions is "Your sessions", not "Account".
  const current = links
    .filter(({ path }) => isCurrent(path, currentPath))
    .reduce<string | undefined>(
      (best, { path }) => (path.length > (best?.length ?? -1) ? path : best),
      undefined,
    );
  return html`<header class="site-header">
    <div class="site-header__bar">
      ${link('site-header__name', '/', tenant?.name ?? 'tenantry', currentPath)} ${account}
    </div>
    ${
      links.length > 0
        ? html`<nav class="site-nav" aria-label="Main">
            <ul class="site-nav__list">
              ${links.map(
                ({ path, label }) =>
                  html`<li>
                    ${link('site-nav__link', path, label, path === current ? currentPath : undefined)}
                  </li>`,
              )}
            </ul>
          </nav>`
        : ''
    }
  </header>`;
}
