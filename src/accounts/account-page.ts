import type { SignedInUser } from '../sessions/session-data.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { button } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { NEW_PASSWORD } from '../auth/password.ts';

export interface AccountPageOptions {
  problems?: FormProblem[];
  /** The password was just changed. */
  changed?: boolean;
}

/** The signed-in user's name, and a form to change the password. */
export function accountPage(
  tenant: Tenant,
  user: SignedInUser,
  { problems = [], changed = false }: AccountPageOptions = {},
): SafeHtml {
  return html`${errorSummary(problems)}
    <h1>Your account</h1>
    ${
      changed
        ? html`<p role="status" class="tag">
            Password changed: your other sessions are signed out.
          </p>`
        : ''
    }
    <p>
      You are <strong>${user.displayName}</strong>, signed in to <strong>${tenant.name}</strong> as
      <code>${user.username}</code>. <a href="/account/sessions">Where you are signed in</a>.
    </p>
    <h2>Change your password</h2>
    <form class="form" method="post" action="/account/password">
      ${field({
        name: 'currentPassword',
        label: 'Current password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        error: problemFor(problems, 'currentPassword'),
      })}
      ${field({
        name: 'newPassword',
        label: 'New password',
        hint: `${NEW_PASSWORD.min} to ${NEW_PASSWORD.max} characters. Changing it signs you out everywhere else.`,
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        error: problemFor(problems, 'newPassword'),
      })}
      <div>${button('Change password')}</div>
    </form>`;
}
