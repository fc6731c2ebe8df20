import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyMessage } from '../src/logger.ts';
import { ROOT } from '../harness/root.ts';

/** A destination stream that keeps what is written. */
function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

const secrets = {
  cookie: 'sid=s%3Asecret-session-id.signature',
  authorization: 'Bearer secret-token',
  password: 'secret-password',
  body: 'username=alice&password=secret-password',
};

/** Logs what careless code might: headers, a body, a password field, an error carrying a body. */
function logCarelessly(logger: ReturnType<typeof createLogger>) {
  const err = Object.assign(new Error('entity.parse.failed'), { body: secrets.body });
  logger.info(
    {
      req: { headers: { cookie: secrets.cookie, authorization: secrets.authorization } },
      res: { headers: { 'set-cookie': [secrets.cookie] } },
      headers: { cookie: secrets.cookie, authorization: secrets.authorization },
      password: secrets.password,
      user: { password: secrets.password },
      err,
    },
    'careless',
  );
}

describe('the logger', () => {
  it.each([false, true])(
    'when careless code logs credentials (pretty: %s), then every one is redacted',
    (pretty) => {
      const out = capture();
      logCarelessly(createLogger('info', { pretty, destination: out }));
      const text = out.text();
      expect(text).toContain('careless');
      expect(text.startsWith('{"level":30')).toBe(!pretty);
      expect(text).toContain('[redacted]');
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
      expect(text).not.toContain('secret-');
    },
  );

  it('when pretty, then a request’s line reads id, method, host and path, status and time', () => {
    const out = capture();
    const logger = createLogger('info', { pretty: true, destination: out });
    logger.info(
      {
        reqId: 'abc-123',
        req: { method: 'GET', url: '/login', host: 'customer-a.localhost:3000' },
        res: { statusCode: 200 },
        responseTime: 4,
      },
      'request completed',
    );
    expect(out.text()).toMatch(
      /INFO.*abc-123 request completed GET customer-a\.localhost:3000\/login -> 200 \(4 ms\)/,
    );
    expect(out.text()).not.toContain('{"level"');
    expect(prettyMessage({ msg: 'plain' })).toBe('plain');
    expect(prettyMessage({ msg: 'noted', reqId: 'r1' })).toBe('r1 noted');
  });

  it('when pretty is asked for but pino-pretty is not installed, then the lines are JSON and one warning says so', () => {
    const out = capture();
    const logger = createLogger('info', {
      pretty: true,
      destination: out,
      loadPretty: () => {
        throw Object.assign(new Error("Cannot find module 'pino-pretty'"), {
          code: 'MODULE_NOT_FOUND',
        });
      },
    });
    logger.info({ n: 1 }, 'still logged');
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'pino-pretty is not installed: logging JSON'],
      [30, 'still logged'],
    ]);
  });

  it('when the process exits right after logging, then every line is written before it ends', () => {
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
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'first',
      'last words',
    ]);
  });
});
