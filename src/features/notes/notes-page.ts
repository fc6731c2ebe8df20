import type { Tenant } from '../../tenants/tenant.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import { MAX_NOTES_PER_USER, type Note } from './notes-repository.ts';
import { MAX_NOTE_LENGTH } from './notes-schema.ts';

export interface NotesPageOptions {
  notes: Note[];
  /** Why the last form was refused, with what was typed, so nothing is lost. */
  error?: string;
  draft?: string;
}

/** The signed-in user's notes, a form to add one, and a button to delete each (POST forms). */
export function notesPage(tenant: Tenant, options: NotesPageOptions): SafeHtml {
  const { notes, error, draft } = options;
  return html`<h1>Your notes</h1>
    <p>Only you see these, and only at <strong>${tenant.name}</strong>.</p>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form class="card" method="post" action="/notes">
      <label
        >New note
        <textarea name="text" rows="3" maxlength="${MAX_NOTE_LENGTH}" required>
${draft ?? ''}</textarea>
      </label>
      <button type="submit">Add note</button>
    </form>
    ${
      notes.length === 0
        ? html`<p>No notes yet.</p>`
        : html`<ul class="notes">
            ${notes.map(
              (note) =>
                html`<li data-testid="note">
                  <p>${note.text}</p>
                  <time datetime="${note.createdAt}"
                    >${note.createdAt.slice(0, 16).replace('T', ' ')} UTC</time
                  >
                  <form method="post" action="/notes/${note.id}/delete">
                    <button type="submit">Delete</button>
                  </form>
                </li>`,
            )}
          </ul>`
    }
    <p><small>${notes.length} of ${MAX_NOTES_PER_USER} notes.</small></p>`;
}
