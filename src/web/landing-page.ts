import { html } from './html.ts';
import type { PageOptions } from './page.ts';

export interface TenantLink {
  name: string;
  host: string;
  url: string;
  color: string;
}

/** Without `tenants` (in production), a welcome that names no customer. */
export function landingPage(tenants: TenantLink[] | undefined): PageOptions {
  if (tenants === undefined) {
    const body = html`<h1>Welcome</h1>
      <p>Each customer has its own address. This one belongs to none of them.</p>`;
    return { title: 'Welcome', body };
  }
  const list =
    tenants.length === 0
      ? html`<p>No tenants yet.</p>`
      : html`<ul class="item-list item-list--swatches">
          ${tenants.map(
            (t) =>
              html`<li style="--swatch: ${t.color}">
                <a href="${t.url}">${t.name}</a> <code>${t.host}</code>
              </li>`,
          )}
        </ul>`;
  const body = html`<h1>Tenants</h1>
    <p>
      This address belongs to no tenant (<code>CENTRAL_HOSTS</code>). Each tenant answers on its own
      host:
    </p>
    ${list}
    <p>
      Add one with <code>npm run tenant:add -- &lt;id&gt; --host &lt;host&gt;</code> and a user with
      <code>npm run user:add -- &lt;tenant&gt; &lt;username&gt;</code>; this page lists them outside
      production only.
    </p>`;
  return { title: 'Tenants', body };
}
