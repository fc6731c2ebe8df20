import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchedLines } from '../src/log-destination.ts';
import { ROOT } from './support/root.ts';

describe('JSON log lines, written in batches', () => {
  it('when several lines are logged close together, then they go out in one write, within the delay', async () => {
    const writes: string[] = [];
    const out = batchedLines(
      { write: (text) => writes.push(text) },
      { maxDelayMs: 50, maxChars: 1000 },
    );
    out.write('{"n":1}\n');
    out.write('{"n":2}\n');
    await sleep(10);
    out.write('{"n":3}\n');
    expect(writes).toEqual([]);
    await sleep(100);
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
    out.write('{"n":4}\n');
    await sleep(100);
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n']);
  });

  it('when a batch reaches its size, then it is written at once', () => {
    const writes: string[] = [];
    const out = batchedLines(
      { write: (text) => writes.push(text) },
      { maxDelayMs: 60_000, maxChars: 16 },
    );
    out.write('{"n":1}\n');
    expect(writes).toEqual([]);
    out.write('{"n":2}\n');
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n']);
  });

  it('when the process exits with lines waiting, then they are written before it ends', () => {
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
