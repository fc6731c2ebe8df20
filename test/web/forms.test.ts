import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { button, postButton } from '../../src/web/buttons.ts';
import { errorSummary, field, fieldId } from '../../src/web/form-fields.ts';
import { formProblems, problemFor, problemsOf, typedValue } from '../../src/web/forms.ts';
import { excerpt, multiline } from '../../src/web/text.ts';

const signUp = z
  .object({
    name: z.string().min(1, 'Enter your name.').max(5, 'A name is at most 5 characters.'),
    email: z.email('Enter an email address.'),
  })
  .strict();

/** The attributes of the element with this id, as one string. */
const tagWithId = (page: string, id: string) =>
  new RegExp(`<[a-z]+[^>]* id="${id}"[^>]*>`).exec(page)?.[0];

describe('form problems from a schema', () => {
  it('when fields are wrong, then one message per field, in the schema’s order', () => {
    const result = signUp.safeParse({ name: 'abcdefg', email: 'nope' });
    expect(result.success).toBe(false);
    const problems = formProblems(result.error!);
    expect(problems).toEqual([
      { field: 'name', message: 'A name is at most 5 characters.' },
      { field: 'email', message: 'Enter an email address.' },
    ]);
    expect(problemFor(problems, 'email')).toBe('Enter an email address.');
    expect(problemFor(problems, 'other')).toBeUndefined();
  });

  it('when the form itself is wrong (an unknown field), then a problem without a field', () => {
    const result = signUp.safeParse({ name: 'a', email: 'a@example.com', admin: 'yes' });
    expect(formProblems(result.error!)).toEqual([{ message: expect.stringMatching(/admin/) }]);
  });

  it('when the JSON API refuses, then one message string with each problem once', () => {
    const result = z
      .object({ a: z.string('Send text.'), b: z.string('Send text.') })
      .safeParse({ a: 1, b: 2 });
    expect(problemsOf(result.error!)).toBe('Send text.');
  });

  it('when a form is shown again, then only a typed string comes back, cut to size', () => {
    expect(typedValue({ text: 'hello' }, 'text')).toBe('hello');
    expect(typedValue({ text: 'x'.repeat(50) }, 'text', 10)).toBe('x'.repeat(10));
    expect(typedValue({ text: ['a', 'b'] }, 'text')).toBeUndefined();
    expect(typedValue({}, 'toString')).toBeUndefined();
    expect(typedValue(undefined, 'text')).toBeUndefined();
  });
});

describe('a field', () => {
  it('when it has a hint and an error, then both are tied to the input and it is invalid', () => {
    const page = field({
      name: 'email',
      label: 'Email address',
      hint: 'We send the link there.',
      error: 'Enter an email address.',
      value: 'nope',
      autocomplete: 'email',
    }).value;
    const id = fieldId('email');
    const input = tagWithId(page, id)!;
    expect(page).toContain(`<label class="form-label" for="${id}">Email address</label>`);
    expect(input).toContain(`aria-describedby="${id}-hint ${id}-error"`);
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('value="nope"');
    expect(tagWithId(page, `${id}-hint`)).toBeDefined();
    expect(page).toMatch(
      new RegExp(
        `id="${id}-error">\\s*<span class="visually-hidden">Error:</span> Enter an email address.`,
      ),
    );
  });

  it('when it has no error, then it is not marked invalid and describes only its hint', () => {
    const page = field({ name: 'name', label: 'Name', hint: 'As on your card.' }).value;
    const input = tagWithId(page, 'field-name')!;
    expect(input).not.toContain('aria-invalid');
    expect(input).toContain('aria-describedby="field-name-hint"');
    expect(page).not.toContain('form-error');
    expect(tagWithId(field({ name: 'x', label: 'X' }).value, 'field-x')).not.toContain(
      'aria-describedby',
    );
  });

  it('when the value holds markup, then it is escaped; a password is never sent back', () => {
    const text = field({ name: 'q', label: 'Q', value: '"><script>x</script>' }).value;
    expect(text).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    const password = field({ name: 'p', label: 'P', type: 'password', value: 'secret' }).value;
    expect(password).not.toContain('secret');
  });

  it('when it is a textarea, then the value keeps its first line break', () => {
    const page = field({ name: 'text', label: 'Text', rows: 3, value: '\nsecond line' }).value;
    expect(page).toMatch(/<textarea[^>]* rows="3">\n\nsecond line<\/textarea>/);
  });
});

describe('the error summary', () => {
  it('when there are problems, then each about a field links to that field', () => {
    const summary = errorSummary([
      { field: 'email', message: 'Enter an email address.' },
      { message: 'Too many tries.' },
    ]).value;
    expect(summary).toContain('role="alert"');
    expect(summary).toContain('<a href="#field-email">Enter an email address.</a>');
    expect(summary).toContain('<li>Too many tries.</li>');
    expect(errorSummary([]).value).toBe('');
  });
});

describe('buttons', () => {
  it('when a button acts on one thing, then its name says which, hidden on screen', () => {
    const page = button('Delete', { about: 'the note “first words…”', kind: 'secondary' }).value;
    expect(page).toBe(
      '<button type="submit" class="button button--secondary">Delete<span class="visually-hidden"> the note “first words…”</span></button>',
    );
  });

  it('when it posts, then it is a form of its own with its hidden fields', () => {
    const page = postButton('Sign out everywhere', {
      action: '/logout',
      fields: { everywhere: '1' },
    }).value;
    expect(page).toMatch(
      /method="post" action="\/logout">\s*<input type="hidden" name="everywhere" value="1" \/><button/,
    );
  });
});

describe('text', () => {
  it('when text has line breaks, then they become <br /> and markup stays text', () => {
    expect(multiline('a <b>\r\nb\nc').value).toBe('a &lt;b&gt;<br />b<br />c');
  });

  it('when text is long, then its excerpt is cut at a word with an ellipsis', () => {
    expect(excerpt('first words')).toBe('first words');
    expect(excerpt('  first\n\n words  ')).toBe('first words');
    expect(excerpt('first words of a much longer note indeed', 20)).toBe('first words of a…');
    expect(excerpt('x'.repeat(40), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
