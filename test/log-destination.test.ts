import { spawnSync } from 'node:child_process';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { linesPerTurn } from '../src/log-destination.ts';
import { ROOT } from './support/root.ts';

describe('JSON log lines, written per turn of the event loop', () => {
  it('when several lines are logged in one turn, then they go out together, in one write, as the turn ends', async () => {
    const writes: string[] = [];
    const out = linesPerTurn({ write: (text) => writes.push(text) });
    out.write('{"n":1}\n');
    out.write('{"n":2}\n');
    out.write('{"n":3}\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
    out.write('{"n":4}\n');
    await nextTurn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n']);
  });

  it('when the process exits in the turn it logged in, then the lines are written before it ends', () => {
    const script = [
      "import { createLogger } from './src/logger.ts';",
      'const logger = createLogger("info");',
      'logger.info("first");',
      'logger.fatal("last words");',
      'process.exit(3);',
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(3);
    const messages = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(['first', 'last words']);
  });
});
