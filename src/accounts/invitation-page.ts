import type { Tenant } from '../tenants/tenant.ts';
import { NEW_PASSWORD } from '../auth/password.ts';
import { button } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';
import type { Invitation } from './invitation.ts';

export interface InvitationPageOptions {
  problems?: FormProblem[];
  /** What was typed as the name, when the form was refused. */
  displayName?: string | undefined;
}

/** The invitee's sign-up: their name (the inviter's guess filled in) and a password. */
export function invitationPage(
  tenant: Tenant,
  invitation: Invitation,
  action: string,
  { problems = [], displayName }: InvitationPageOptions = {},
): SafeHtml {
  return html`${errorSummary(problems)}
    <h1>Join ${tenant.name}</h1>
    <p>
      You are invited as <code>${invitation.username}</code>. Choose your password to create your
      account; you are signed in at once.
    </p>
    <form class="form" method="post" action="${action}">
      ${field({
        name: 'displayName',
        label: 'Your name',
        autocomplete: 'name',
        required: true,
        value: displayName ?? invitation.displayName,
        error: problemFor(problems, 'displayName'),
      })}
      ${field({
        name: 'password',
        label: 'Password',
        hint: `${NEW_PASSWORD.min} to ${NEW_PASSWORD.max} characters.`,
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        error: problemFor(problems, 'password'),
      })}
      <input type="hidden" name="username" value="${invitation.username}" autocomplete="username" />
      <div>${button('Create my account')}</div>
    </form>`;
}
