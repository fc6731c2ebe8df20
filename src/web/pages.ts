import type { Tenant } from '../tenants/load-tenants.ts';
import type { SignedInUser } from '../sessions/session-data.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export function homePage(tenant: Tenant, user: SignedInUser | undefined): string {
  const body = user
    ? html`<h1>Welcome back, ${user.displayName}</h1>
        <p>
          You are signed in to <strong>${tenant.name}</strong> as <code>${user.username}</code>.
        </p>
        <p>This session lives only here: other customers' sites do not know you.</p>`
    : html`<h1>${tenant.name}</h1>
        <p>You are not signed in at <strong>${tenant.name}</strong>.</p>
        <p><a class="button" href="/login">Sign in</a></p>`;
  return layout({ title: 'Home', tenant, user, body });
}

export function loginPage(
  tenant: Tenant,
  options: { error?: string; username?: string } = {},
): string {
  const body = html`<h1>Sign in to ${tenant.name}</h1>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
    <form class="card" method="post" action="/login">
      <label
        >Username
        <input name="username" autocomplete="username" required value="${options.username ?? ''}"
      /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit">Sign in</button>
    </form>`;
  return layout({ title: 'Sign in', tenant, body });
}

export function errorPage(status: number, message: string, tenant: Tenant | undefined): string {
  const body = html`<h1>${status}</h1>
    <p>${message}</p>`;
  return layout({ title: String(status), tenant, body });
}
