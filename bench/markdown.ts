import { readFile, writeFile } from 'node:fs/promises';
import * as prettier from 'prettier';

/** Writes `text` as Prettier formats it for that file, so `npm run format:check` stays green. */
export async function writeFormatted(path: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(path);
  await writeFile(path, await prettier.format(text, { ...options, filepath: path }));
}

/**
 * Replaces what stands between `<!-- name:start -->` and `<!-- name:end -->` in the file with
 * `content`, leaving the markers and everything around them as they are.
 */
export async function fillMarkers(path: string, name: string, content: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${path} has no ${start} … ${end}`);
  const filled = `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
  await writeFormatted(path, filled);
}
