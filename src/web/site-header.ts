import type { NavLink } from '../features/feature.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { attributes, html, type SafeHtml } from './html.ts';

export interface SiteHeaderOptions {
  tenant?: Tenant | undefined;
  user?: { displayName: string } | undefined;
  /** The features' links this visitor sees. */
  nav: NavLink[];
  /** The path of this page, to mark its link as the current page. */
  currentPath?: string | undefined;
}

/** Whether `path` is the link's page or one below it (`/notes/…` is under Notes). */
const isCurrent = (link: string, path: string | undefined) =>
  path !== undefined && (path === link || (link !== '/' && path.startsWith(`${link}/`)));

/** A link, marked as the current page when it is. */
const link = (className: string, href: string, text: string, path: string | undefined) =>
  html`<a${attributes({
    class: className,
    href,
    'aria-current': isCurrent(href, path) ? 'page' : undefined,
  })}>${text}</a>`;

/**
 * The tenant's bar (its name, who is signed in, sign in or out) over the navigation: two lines
 * on a phone, the navigation scrolling on its own when it outgrows one.
 */
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
                  html`<li>${link('site-nav__link', path, label, currentPath)}</li>`,
              )}
            </ul>
          </nav>`
        : ''
    }
  </header>`;
}
