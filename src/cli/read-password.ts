import { createInterface } from 'node:readline';
import password from '@inquirer/password';

/** Longer passwords are refused at sign-in (src/auth/routes.ts), so none is ever stored. */
export const MAX_PASSWORD_LENGTH = 1024;

export class PasswordInputError extends Error {}

/**
 * A password for a tenant file: on a terminal it is asked without echo (twice when `confirm`, so a
 * typo is not stored), the prompt on stderr so stdout stays the command's output; otherwise it is
 * the first line of standard input (scripts: `printf '%s\n' "$PW" | npm run -s user:add ...`).
 */
export async function readPassword({ confirm }: { confirm: boolean }): Promise<string> {
  let value: string;
  if (process.stdin.isTTY) {
    // No echo and no way to reveal it (toggleMask off): terminals get shared, recorded, scrolled back.
    const ask = (message: string) =>
      password({ message, toggleMask: false }, { output: process.stderr });
    value = await ask('Password:');
    if (confirm && (await ask('Password again:')) !== value) {
      throw new PasswordInputError('The two passwords differ; nothing was written.');
    }
  } else {
    value = (await firstLine()) ?? '';
  }
  if (value.length === 0) throw new PasswordInputError('No password given.');
  if (value.length > MAX_PASSWORD_LENGTH) {
    throw new PasswordInputError(
      `The password is longer than ${MAX_PASSWORD_LENGTH} characters: sign-in refuses those.`,
    );
  }
  return value;
}

async function firstLine(): Promise<string | undefined> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
    process.stdin.destroy();
  }
}

/** Ctrl-C at a prompt: the prompt library's way of saying the user gave up. */
export const isPromptAbort = (err: unknown) =>
  err instanceof Error && err.name === 'ExitPromptError';
