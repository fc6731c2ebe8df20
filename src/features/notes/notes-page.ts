import type { Tenant } from '../../tenants/tenant.ts';
import { postButton, button } from '../../web/buttons.ts';
import { errorSummary, field } from '../../web/form-fields.ts';
import { problemFor, type FormProblem } from '../../web/forms.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import { excerpt, multiline, utcMinute } from '../../web/text.ts';
import { MAX_NOTES_PER_USER, type Note } from './notes-repository.ts';
import { MAX_NOTE_LENGTH } from './notes-schema.ts';

export interface NotesPageOptions {
  notes: Note[];
  /** Why the last form was refused, with what was typed in it, so nothing is lost. */
  problems?: FormProblem[];
  draft?: string | undefined;
}

/** The signed-in user's notes, a form to add one, and a button to delete each (POST forms). */
export function notesPage(tenant: Tenant, { notes, problems = [], draft }: NotesPageOptions) {
  return html`${errorSummary(problems)}
    <h1>Your notes</h1>
    <p>Only you see these, and only at <strong>${tenant.name}</strong>.</p>
    <form class="form" method="post" action="/notes">
      ${field({
        name: 'text',
        label: 'New note',
        hint: `Up to ${MAX_NOTE_LENGTH} characters.`,
        rows: 3,
        maxLength: MAX_NOTE_LENGTH,
        required: true,
        value: draft,
        error: problemFor(problems, 'text'),
      })}
      <div>${button('Add note')}</div>
    </form>
    ${
      notes.length === 0
        ? html`<p>No notes yet.</p>`
        : html`<ul class="item-list">
            ${notes.map(noteItem)}
          </ul>`
    }
    <p class="meta">${notes.length} of ${MAX_NOTES_PER_USER} notes.</p>`;
}

function noteItem(note: Note): SafeHtml {
  return html`<li data-testid="note">
    <div class="item-list__body">
      <p class="item-list__text">${multiline(note.text)}</p>
      <time class="meta" datetime="${note.createdAt}">${utcMinute(note.createdAt)}</time>
    </div>
    ${postButton('Delete', {
      action: `/notes/${note.id}/delete`,
      about: `the note “${excerpt(note.text)}”`,
      kind: 'secondary',
    })}
  </li>`;
}
