import type { SignedInUser } from '../sessions/session-data.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { postButton } from '../web/buttons.ts';
import { html, type SafeHtml } from '../web/html.ts';
import type { AccountSession } from './account-sessions.ts';

/** "Your sessions": where this user is signed in on this tenant, each with a way to end it. */
export function sessionsPage(
  tenant: Tenant,
  user: SignedInUser,
  sessions: AccountSession[],
  now = Date.now(),
): SafeHtml {
  const others = sessions.filter((s) => !s.current).length;
  // Each cell names its column (data-label): on a phone each row is a block of labelled lines.
  const rows = sessions.map(
    (s) =>
      html`<tr data-testid="session" data-current="${String(s.current)}">
        <th scope="row">
          ${s.device} ${s.current ? html`<span class="tag">This session</span>` : ''}
        </th>
        <td data-label="Address">${s.ip ?? 'unknown'}</td>
        <td data-label="Signed in">${time(s.createdAt, now)}</td>
        <td data-label="Last active">${time(s.lastSeenAt, now)}</td>
        <td>
          ${
            s.current
              ? ''
              : postButton('End', {
                  action: `/account/sessions/${s.handle}/end`,
                  about: `the session on ${s.device}, signed in ${ago(s.createdAt, now)}`,
                  kind: 'secondary',
                })
          }
        </td>
      </tr>`,
  );
  return html`<h1>Your sessions</h1>
    <p>
      Where you are signed in to <strong>${tenant.name}</strong> as <code>${user.username}</code>.
      End any session you do not recognise; changing your password ends all of them.
    </p>
    <table class="table table--reflow">
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">Address</th>
          <th scope="col">Signed in</th>
          <th scope="col">Last active</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <div class="button-group">
      ${
        others > 0
          ? postButton('Sign out everywhere else', { action: '/account/sessions/end-others' })
          : ''
      }
      ${postButton('Sign out everywhere', {
        action: '/logout',
        fields: { everywhere: '1' },
        kind: 'secondary',
      })}
    </div>`;
}

/** "3 min ago" for people. */
function ago(iso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return iso.slice(0, 10);
}

/** `ago` with the exact UTC time on hover and for machines. */
function time(iso: string, now: number) {
  return html`<time datetime="${iso}" title="${iso.replace('T', ' ').slice(0, 19)} UTC"
    >${ago(iso, now)}</time
  >`;
}
