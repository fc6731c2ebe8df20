import type { SignedInUser } from '../../sessions/session-data.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { html, type SafeHtml } from '../../web/html.ts';

export function homePage(tenant: Tenant, user: SignedInUser | undefined): SafeHtml {
  return user
    ? html`<h1>Welcome back, ${user.displayName}</h1>
        <p>
          You are signed in to <strong>${tenant.name}</strong> as <code>${user.username}</code>.
        </p>
        <p>This session lives only here: other customers' sites do not know you.</p>
        <p><a class="button" href="/notes">Your notes</a></p>`
    : html`<h1>${tenant.name}</h1>
        <p>You are not signed in at <strong>${tenant.name}</strong>.</p>
        <p><a class="button" href="/login">Sign in</a></p>`;
}
