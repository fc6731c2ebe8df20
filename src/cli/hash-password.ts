/**
 * Prints a password hash for a tenant file's `passwordHash`.
 *   npm run hash-password            (asks, without echo)
 *   echo -n 's3cret' | npm run hash-password --silent
 */
import { createInterface } from 'node:readline/promises';
import { hashPassword } from '../auth/password.ts';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    return input.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write('Password: ');
  // Mute the echo of what is typed after the prompt.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  const answer = await rl.question('');
  rl.close();
  process.stderr.write('\n');
  return answer;
}

const password = await readPassword();
if (password.length === 0) {
  console.error('No password given.');
  process.exit(1);
}
console.log(await hashPassword(password));
