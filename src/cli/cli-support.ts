import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from '../config.ts';

/** A refusal meant for the person at the terminal: printed as it is, exit 1. */
export class CliError extends Error {}

/** The server's own configuration (.env, then the environment), or exit 1 naming the problem. */
export function cliConfig(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/**
 * Runs a commander program: exit 0 on success (and for --help), 1 with the message of a CliError,
 * 2 on a usage error (commander has printed it).
 */
export async function runProgram(program: Command, argv = process.argv): Promise<void> {
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof CliError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * Writes the whole file under a temporary name in the same directory, then renames it into place:
 * the server's watcher (and anyone else) sees the old file or the new one, never half of one.
 * The temporary name does not end in .json, so it is never read as a tenant.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => {});
    throw err;
  }
}
