import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/tenants/tenant.ts';
import { html } from '../../src/web/html.ts';
import { layout } from '../../src/web/layout.ts';

const tenant = (color: string): Tenant => ({
  id: 'yellow',
  name: 'Yellow Co',
  hosts: ['yellow.localhost'],
  color,
  users: new Map(),
  session: {},
  ownSecrets: undefined,
  file: 'yellow.json',
});
const nav = [
  { label: 'Notes', path: '/notes' },
  { label: 'Your sessions', path: '/account/sessions' },
];
const body = html`<h1>Hello</h1>`;

describe('the layout', () => {
  it('when the tenant is yellow, then text on its colour is black; when dark, white', () => {
    expect(layout({ title: 'Home', tenant: tenant('#ffd800'), body })).toMatch(
      /--brand: #ffd800;\s*--on-brand: #000000;/,
    );
    expect(layout({ title: 'Home', tenant: tenant('#1f6feb'), body })).toMatch(
      /--on-brand: #ffffff;/,
    );
  });

  it('when a page is shown, then a skip link leads to its main content', () => {
    const page = layout({ title: 'Home', tenant: tenant('#1f6feb'), body });
    expect(page).toMatch(/<body>\s*<a class="skip-link" href="#main-content">/);
    expect(page).toContain('<main id="main-content"><h1>Hello</h1></main>');
  });

  it('when a feature’s page is shown, then its link alone is the current page', () => {
    const user = { displayName: 'Yolanda' };
    const page = layout({
      title: 'Notes',
      tenant: tenant('#ffd800'),
      user,
      nav,
      currentPath: '/account/sessions',
      body,
    });
    expect(page).toMatch(/<nav class="site-nav" aria-label="Main">/);
    expect(page).toContain('href="/account/sessions" aria-current="page">Your sessions</a>');
    expect(page).toContain('href="/notes">Notes</a>');
    expect(page.match(/aria-current/g)).toHaveLength(1);
    const below = layout({
      title: 'x',
      tenant: tenant('#ffd800'),
      nav,
      currentPath: '/notes/x',
      body,
    });
    expect(below).toMatch(/href="\/notes" aria-current="page"/);
  });

  it('when no tenant is served (a central or unknown host), then no navigation and no sign-in', () => {
    const page = layout({ title: 'Welcome', nav, currentPath: '/', body });
    expect(page).not.toContain('<nav');
    expect(page).not.toContain('/login');
    expect(page).toMatch(/--on-brand: #ffffff;/);
  });
});
