import { NEW_PASSWORD } from '../auth/password.ts';
import { button } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';

export interface ResetRequestPageOptions {
  problems?: FormProblem[];
  username?: string | undefined;
  /** The request was taken: the same words whether or not the user exists. */
  sent?: boolean;
}

/** "Forgot your password?": a username, and the answer that reveals nothing about it. */
export function resetRequestPage({
  problems = [],
  username,
  sent = false,
}: ResetRequestPageOptions = {}) {
  if (sent) {
    return html`<h1>Check your email</h1>
      <p>
        If <code>${username}</code> has an account here with an email address, a link to choose a
        new password is on its way. It works once, for 30 minutes.
      </p>
      <p><a href="/login">Back to sign in</a></p>`;
  }
  return html`${errorSummary(problems)}
    <h1>Reset your password</h1>
    <p>
      Enter your username: we email a link to choose a new password to the address on your account.
    </p>
    <form class="form" method="post" action="/password-reset">
      ${field({
        name: 'username',
        label: 'Username',
        autocomplete: 'username',
        required: true,
        value: username,
        error: problemFor(problems, 'username'),
      })}
      <div>${button('Email me a link')}</div>
    </form>`;
}

/** The link's page: a new password. */
export function newPasswordPage(action: string, problems: FormProblem[] = []): SafeHtml {
  return html`${errorSummary(problems)}
    <h1>Choose a new password</h1>
    <p>Setting it signs you out everywhere; then sign in with it.</p>
    <form class="form" method="post" action="${action}">
      ${field({
        name: 'password',
        label: 'New password',
        hint: `${NEW_PASSWORD.min} to ${NEW_PASSWORD.max} characters.`,
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        error: problemFor(problems, 'password'),
      })}
      <div>${button('Set new password')}</div>
    </form>`;
}
