import { z } from 'zod';
import { newPasswordProblem } from '../auth/password.ts';
import { USERNAME_PATTERN } from '../tenants/username.ts';
import { ROLES } from './user.ts';

/**
 * The fields of the account pages and API, one schema for a form and its JSON alike. An optional
 * field left empty in a form is unset, as if it had not been sent.
 */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const username = z
  .string({ error: 'Enter a username.' })
  .trim()
  .toLowerCase()
  .regex(
    USERNAME_PATTERN,
    'A username is 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
  );

export const displayName = z
  .string({ error: 'Enter a name.' })
  .trim()
  .min(1, 'Enter a name.')
  .max(100, 'A name is at most 100 characters.');

export const role = z.enum(ROLES, { error: 'A role is owner, admin or member.' });

export const email = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .max(254, 'An email address is at most 254 characters.')
  .pipe(z.email('Enter an email address like name@example.com.'));

/** src/auth/password.ts's rule for every new password (10 to 200 characters). */
export const newPassword = z.string({ error: 'Enter a new password.' }).check((ctx) => {
  const problem = newPasswordProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** What a body that is not even an object is told. */
const objectOf = (example: string) => ({
  error: (issue: { code: string }) =>
    issue.code === 'invalid_type' ? `Send an object: ${example}.` : undefined,
});

export const passwordChange = z
  .object(
    {
      currentPassword: z
        .string({ error: 'Enter your current password.' })
        .min(1, 'Enter your current password.')
        .max(1024, 'A password is at most 1024 characters.'),
      newPassword,
    },
    objectOf('{"currentPassword": "…", "newPassword": "…"}'),
  )
  .strict();

export const newInvitation = z
  .object(
    {
      username,
      displayName: unsetWhenEmpty(displayName),
      role: unsetWhenEmpty(role).default('member'),
      email: unsetWhenEmpty(email),
    },
    objectOf('{"username": "…", "displayName"?, "role"?, "email"?}'),
  )
  .strict();

export const userChange = z
  .object(
    {
      disabled: z.boolean({ error: 'disabled is true or false.' }).optional(),
      role: role.optional(),
    },
    objectOf('{"disabled"?: true | false, "role"?: "owner" | "admin" | "member"}'),
  )
  .strict()
  .refine((change) => change.disabled !== undefined || change.role !== undefined, {
    error: 'Send "disabled", "role" or both.',
  });

export const invitationAcceptance = z
  .object({
    displayName: unsetWhenEmpty(displayName),
    password: newPassword,
    // The page's hidden field for password managers; the invitation decides the name.
    username: z.string().max(64).optional(),
  })
  .strict();

export const resetRequest = z
  .object({
    username: z
      .string({ error: 'Enter your username.' })
      .trim()
      .toLowerCase()
      .min(1, 'Enter your username.')
      .max(64, 'A username is at most 64 characters.'),
  })
  .strict();

export const newPasswordForm = z.object({ password: newPassword }).strict();
