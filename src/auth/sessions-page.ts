import type { SignedInUser } from '../sessions/session-data.ts';
import type { Tenant } from '../tenants/tenant.ts';
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
  const rows = sessions.map(
    (s) =>
      html`<tr data-testid="session" data-current="${String(s.current)}">
        <td>
          <strong>${s.device}</strong>
          ${s.current ? html`<span class="badge">This session</span>` : ''}
        </td>
        <td>${s.ip ?? 'unknown'}</td>
        <td>${when(s.createdAt, now)}</td>
        <td>${when(s.lastSeenAt, now)}</td>
        <td>
          ${
            s.current
              ? ''
              : html`<form method="post" action="/account/sessions/${s.handle}/end">
                  <button type="submit" class="quiet">End</button>
                </form>`
          }
        </td>
      </tr>`,
  );
  return html`<h1>Your sessions</h1>
    <p>
      Where you are signed in to <strong>${tenant.name}</strong> as <code>${user.username}</code>.
      End any session you do not recognise; changing your password ends all of them.
    </p>
    <table class="sessions">
      <thead>
        <tr>
          <th>Device</th>
          <th>Address</th>
          <th>Signed in</th>
          <th>Last active</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <div class="actions">
      ${
        others > 0
          ? html`<form method="post" action="/account/sessions/end-others">
              <button type="submit">Sign out everywhere else</button>
            </form>`
          : ''
      }
      <form method="post" action="/logout">
        <input type="hidden" name="everywhere" value="1" />
        <button type="submit" class="quiet">Sign out everywhere</button>
      </form>
    </div>`;
}

/** "3 minutes ago" for people, the exact UTC time on hover and for machines. */
function when(iso: string, now: number) {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  const text =
    minutes < 1
      ? 'just now'
      : minutes < 60
        ? `${minutes} min ago`
        : minutes < 48 * 60
          ? `${Math.floor(minutes / 60)} h ago`
          : `${iso.slice(0, 10)}`;
  return html`<time datetime="${iso}" title="${iso.replace('T', ' ').slice(0, 19)} UTC"
    >${text}</time
  >`;
}
