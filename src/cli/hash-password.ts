/**
 * Prints a password hash for a tenant file's `passwordHash` (`npm run user:add` writes one for you).
 *   npm run hash-password            (asks, without echo)
 *   printf '%s\n' 's3cret' | npm run -s hash-password
 */
import { hashPassword } from '../auth/password.ts';
import { isPromptAbort, PasswordInputError, readPassword } from './read-password.ts';

try {
  console.log(await hashPassword(await readPassword({ confirm: false })));
} catch (err) {
  if (!(err instanceof PasswordInputError) && !isPromptAbort(err)) throw err;
  console.error(err instanceof PasswordInputError ? err.message : 'Cancelled.');
  process.exit(1);
}
