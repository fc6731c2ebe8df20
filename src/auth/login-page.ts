import type { Tenant } from '../tenants/tenant.ts';
import { button } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';

export interface LoginPageOptions {
  /** Why signing in was refused, about the whole form (wrong password, too many tries). */
  error?: string;
  /** What is wrong with the fields themselves (an empty username, say). */
  problems?: FormProblem[];
  username?: string;
  /** Same-site path to return to after signing in (already made safe). */
  next?: string;
}

export function loginPage(tenant: Tenant, options: LoginPageOptions = {}): SafeHtml {
  const problems = [
    ...(options.error ? [{ message: options.error }] : []),
    ...(options.problems ?? []),
  ];
  return html`${errorSummary(problems)}
    <h1>Sign in to ${tenant.name}</h1>
    <form class="form" method="post" action="/login">
      ${field({
        name: 'username',
        label: 'Username',
        autocomplete: 'username',
        required: true,
        value: options.username,
        error: problemFor(problems, 'username'),
      })}
      ${field({
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        error: problemFor(problems, 'password'),
      })}
      ${
        options.next && options.next !== '/'
          ? html`<input type="hidden" name="next" value="${options.next}" />`
          : ''
      }
      <div>${button('Sign in')}</div>
    </form>`;
}
