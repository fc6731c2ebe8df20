import { z } from 'zod';

export const MAX_NOTE_LENGTH = 500;

/**
 * A new note, from the page's form or the API's JSON alike: one `text`, trimmed, 1-500
 * characters, and nothing else (an unknown field is refused, not silently dropped).
 */
export const newNote = z
  .object(
    {
      text: z
        .string({ error: 'The text must be a string.' })
        .trim()
        .min(1, 'A note needs some text.')
        .max(MAX_NOTE_LENGTH, `A note is at most ${MAX_NOTE_LENGTH} characters.`),
    },
    // Only for a body that is no object; an unknown key keeps zod's message, which names it.
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'Send an object with the note\'s text: {"text": "…"}.'
          : undefined,
    },
  )
  .strict();
