import type { Tenant } from '../tenants/tenant.ts';
import { html, type SafeHtml } from '../web/html.ts';

export interface LoginPageOptions {
  error?: string;
  username?: string;
  /** Same-site path to return to after signing in (already made safe). */
  next?: string;
}

export function loginPage(tenant: Tenant, options: LoginPageOptions = {}): SafeHtml {
  return html`<h1>Sign in to ${tenant.name}</h1>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
    <form class="card" method="post" action="/login">
      <label
        >Username
        <input name="username" autocomplete="username" required value="${options.username ?? ''}"
      /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      ${
        options.next && options.next !== '/'
          ? html`<input type="hidden" name="next" value="${options.next}" />`
          : ''
      }
      <button type="submit">Sign in</button>
    </form>`;
}
