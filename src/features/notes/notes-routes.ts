import { Router, type Request, type Response } from 'express';
import createError from 'http-errors';
import { requireUser } from '../../auth/require-user.ts';
import {
  formBody,
  formProblems,
  problemsOf,
  typedValue,
  type FormProblem,
} from '../../web/forms.ts';
import { sendPage } from '../../web/page.ts';
import type { Feature } from '../feature.ts';
import { notesPage } from './notes-page.ts';
import { NotesFullError, type NoteOwner, type NotesRepository } from './notes-repository.ts';
import { MAX_NOTE_LENGTH, newNote } from './notes-schema.ts';

/** Every query names the tenant of the request's host and the signed-in user's id: nobody else's. */
const ownerOf = (req: Request): NoteOwner => ({ tenant: req.tenant, userId: req.user!.id });

/** The `:id` of the path; the repository refuses anything that is not a note id. */
const idOf = (req: Request): string => {
  const id: unknown = req.params.id;
  return typeof id === 'string' ? id : '';
};

interface Refusal {
  status: number;
  problems: FormProblem[];
  draft: string | undefined;
}

/** The worked example: a per-user notes list at /notes, and its JSON API at /api/notes. */
export function notesFeature(notes: NotesRepository): Feature {
  return {
    prefix: '/notes',
    pages: notesPages(notes),
    api: notesApi(notes),
    nav: [{ label: 'Notes', path: '/notes' }],
  };
}

/**
 * GET /notes, POST /notes (add) and POST /notes/:id/delete (HTML forms cannot send DELETE); each
 * write answers 303 back to /notes, so a reload never sends a form twice.
 */
function notesPages(notes: NotesRepository): Router {
  // The guard before any parser: nobody signed out gets a body parsed. Mounted at /notes, so it
  // guards this feature and nothing else.
  const router = Router().use(requireUser);
  const form = formBody({ fields: 5 });

  /** The page, with the reason a form was refused and what was typed in it, if one was. */
  const show = async (req: Request, res: Response, refused?: Refusal) => {
    const list = await notes.list(ownerOf(req));
    const body = notesPage(req.tenant, { notes: list, ...refused });
    sendPage(req, res, { title: 'Notes', body, status: refused?.status });
  };

  router.get('/', (req, res) => show(req, res));

  router.post('/', form, async (req, res) => {
    const input = newNote.safeParse(req.body);
    // What was typed goes back with the reasons it was refused, so nothing is lost.
    const draft = typedValue(req.body, 'text', 2 * MAX_NOTE_LENGTH);
    if (!input.success)
      return show(req, res, { status: 400, problems: formProblems(input.error), draft });
    try {
      await notes.add(ownerOf(req), input.data.text);
    } catch (err) {
      if (err instanceof NotesFullError)
        return show(req, res, { status: 409, problems: [{ message: err.message }], draft });
      throw err;
    }
    res.redirect(303, '/notes');
  });

  router.post('/:id/delete', async (req, res) => {
    // Someone else's id, or no id at all, is the same "no such note" as a deleted one.
    if (!(await notes.remove(ownerOf(req), idOf(req)))) throw createError(404, 'No such note.');
    res.redirect(303, '/notes');
  });

  return router;
}

/** GET /api/notes, POST /api/notes (`{"text": "…"}`, 201 with the note), DELETE /api/notes/:id. */
function notesApi(notes: NotesRepository): Router {
  const router = Router().use(requireUser);

  router.get('/', async (req, res) => {
    res.json({ notes: await notes.list(ownerOf(req)) });
  });

  router.post('/', async (req, res) => {
    const input = newNote.safeParse(req.body);
    if (!input.success) throw createError(400, problemsOf(input.error));
    try {
      res.status(201).json(await notes.add(ownerOf(req), input.data.text));
    } catch (err) {
      throw err instanceof NotesFullError ? createError(409, err.message) : err;
    }
  });

  router.delete('/:id', async (req, res) => {
    if (!(await notes.remove(ownerOf(req), idOf(req)))) throw createError(404, 'No such note.');
    res.status(204).end();
  });

  return router;
}
