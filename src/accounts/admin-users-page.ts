import type { Tenant } from '../tenants/tenant.ts';
import { button, postButton } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { selectField } from '../web/select-field.ts';
import { utcMinute } from '../web/text.ts';
import type { Role, User } from './user.ts';
import type { invitationView, UserView } from './views.ts';

type InvitationView = ReturnType<typeof invitationView>;

export interface AdminUsersPageOptions {
  actor: User;
  users: UserView[];
  invitations: InvitationView[];
  problems?: FormProblem[];
  /** What was typed into the invitation form, when it was refused. */
  draft?: Record<string, string | undefined>;
  /** The invitation just made: its link is shown this once. */
  invited?: { username: string; url: string; expiresAt: string; emailed: boolean };
}

const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
const roleOptions = (actor: User) =>
  (actor.role === 'owner'
    ? (['member', 'admin', 'owner'] as const)
    : (['member', 'admin'] as const)
  ).map((value) => ({ value, label: ROLE_LABELS[value] }));

/** The tenant's users and open invitations, each with what the actor may do to it. */
export function adminUsersPage(tenant: Tenant, options: AdminUsersPageOptions): SafeHtml {
  const { actor, users, invitations, problems = [], draft = {}, invited } = options;
  return html`${errorSummary(problems)}
    <h1>Users</h1>
    <p>Who can sign in to <strong>${tenant.name}</strong>. An admin cannot change an owner.</p>
    ${invited ? invitedNotice(invited) : ''}
    <ul class="item-list">
      ${users.map((user) => userItem(actor, user))}
    </ul>
    <h2>Open invitations</h2>
    ${
      invitations.length === 0
        ? html`<p>None.</p>`
        : html`<ul class="item-list">
            ${invitations.map(invitationItem)}
          </ul>`
    }
    <h2>Invite someone</h2>
    <form class="form" method="post" action="/admin/users/invitations">
      ${field({
        name: 'username',
        label: 'Username',
        hint: 'Lower-case letters, digits, ".", "_" or "-".',
        required: true,
        autocomplete: 'off',
        value: draft.username,
        error: problemFor(problems, 'username'),
      })}
      ${field({
        name: 'displayName',
        label: 'Name (optional)',
        value: draft.displayName,
        autocomplete: 'off',
        error: problemFor(problems, 'displayName'),
      })}
      ${selectField({
        name: 'role',
        label: 'Role',
        options: roleOptions(actor),
        value: draft.role ?? 'member',
        error: problemFor(problems, 'role'),
      })}
      ${field({
        name: 'email',
        label: 'Email address (optional)',
        hint: 'The link is emailed there, and password resets go there later.',
        type: 'email',
        autocomplete: 'off',
        value: draft.email,
        error: problemFor(problems, 'email'),
      })}
      <div>${button('Create invitation')}</div>
    </form>`;
}

function invitedNotice({
  username,
  url,
  expiresAt,
  emailed,
}: NonNullable<AdminUsersPageOptions['invited']>) {
  return html`<div class="form" role="status" data-testid="invitation-link">
    <h2>Invitation for ${username} created</h2>
    <p>
      ${emailed ? 'It is on its way by email. ' : ''}Send them this link: it works once, until
      ${utcMinute(expiresAt)}.
    </p>
    <p><a href="${url}">${url}</a></p>
  </div>`;
}

function userItem(actor: User, user: UserView): SafeHtml {
  const who = `${user.displayName} (${user.username})`;
  const mayChange = actor.role === 'owner' || user.role !== 'owner';
  const action = (path: string) => `/admin/users/${user.id}/${path}`;
  return html`<li data-testid="user">
    <div class="item-list__body">
      <p class="item-list__text">
        <strong>${user.displayName}</strong> <code>${user.username}</code>
        ${user.id === actor.id ? html`<span class="tag">You</span>` : ''}
      </p>
      <p class="meta">
        ${ROLE_LABELS[user.role]}${user.disabled ? ' · disabled: cannot sign in' : ''}${user.email ? ` · ${user.email}` : ''}
      </p>
    </div>
    ${
      mayChange
        ? html`<div class="button-group">
            <form class="inline-form" method="post" action="${action('role')}">
              ${selectField({
                name: 'role',
                id: `role-${user.id}`,
                label: `Role of ${who}`,
                hiddenLabel: true,
                options: roleOptions(actor),
                value: user.role,
              })}
              ${button('Change role', { about: `of ${who}`, kind: 'secondary' })}
            </form>
            ${postButton(user.disabled ? 'Enable' : 'Disable', {
              action: action(user.disabled ? 'enable' : 'disable'),
              about: who,
              kind: 'secondary',
            })}
            <a class="button button--secondary" href="${action('remove')}"
              >Remove<span class="visually-hidden"> ${who}</span></a
            >
          </div>`
        : html`<p class="meta">Only an owner can change an owner.</p>`
    }
  </li>`;
}

function invitationItem(invitation: InvitationView): SafeHtml {
  return html`<li data-testid="invitation">
    <div class="item-list__body">
      <p class="item-list__text">
        <strong>${invitation.displayName}</strong> <code>${invitation.username}</code>
      </p>
      <p class="meta">
        ${ROLE_LABELS[invitation.role]} · until
        ${utcMinute(invitation.expiresAt)}${invitation.email ? ` · ${invitation.email}` : ''}
      </p>
    </div>
    ${postButton('Withdraw', {
      action: `/admin/users/invitations/${invitation.id}/withdraw`,
      about: `the invitation of ${invitation.username}`,
      kind: 'secondary',
    })}
  </li>`;
}

/** Removing someone deletes their data: asked once more, on a page of its own. */
export function removeUserPage(user: UserView): SafeHtml {
  const who = `${user.displayName} (${user.username})`;
  return html`<h1>Remove ${who}?</h1>
    <p>
      They are signed out everywhere at once, and their notes are deleted. This cannot be undone; to
      stop them signing in for now, disable them instead.
    </p>
    <div class="button-group">
      ${postButton('Remove', { action: `/admin/users/${user.id}/remove`, about: who })}
      <a class="button button--secondary" href="/admin/users">Keep ${user.displayName}</a>
    </div>`;
}
