import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import express from 'express';
import { linesPerTurn } from '../src/web/fast-paths.ts';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { plainRequest } from '../harness/http-client.ts';
import { closeServer, listen } from '../harness/listen.ts';
import { startServer } from '../harness/server-process.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the HTTP server (createAppServer, src/web/fast-paths.ts)', () => {
  it("when a request arrives, then it and its response already have the app's prototypes, and the app answers as through app.listen", async () => {
    const app = express();
    app.get('/whoami', (req, res) => {
      res.json({ host: req.get('host'), sameApp: req.app === app, locals: typeof res.locals });
    });
    const { server, port } = await listen(app);
    cleanups.push(() => closeServer(server));
    const arrived: { request: unknown; response: unknown; nodeObjects: boolean }[] = [];
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      arrived.push({
        request: Object.getPrototypeOf(req),
        response: Object.getPrototypeOf(res),
        nodeObjects: req instanceof IncomingMessage && res instanceof ServerResponse,
      });
    });

    const res = await plainRequest({ port, host: 'example.test', path: '/whoami' });

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ host: 'example.test', sameApp: true, locals: 'object' });
    expect(arrived).toEqual([{ request: app.request, response: app.response, nodeObjects: true }]);
  });

  it.runIf(inject('redisServerAvailable'))(
    'when its port is taken, then the server logs a fatal "cannot listen" naming the port and exits 1',
    { timeout: 30_000 },
    async () => {
      // Accepts and drops every connection: never an answer the readiness check could take.
      const taken: NetServer = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
      const port = (taken.address() as { port: number }).port;

      const err = await startServer({
        redisUrl: inject('redisUrl'),
        env: { PORT: String(port) },
      }).catch((e: unknown) => e as Error);

      expect(err).toBeInstanceOf(Error);
      const [headline, ...lines] = (err as Error).message.split('\n');
      expect(headline).toContain('stopped while starting (exit code 1)');
      const fatal = lines
        .filter((line) => line.startsWith('{'))
        .map(
          (line) =>
            JSON.parse(line) as { level: number; msg: string; port: number; err: { code: string } },
        )
        .filter((line) => line.level === 60);
      expect(fatal).toEqual([
        expect.objectContaining({
          msg: 'cannot listen',
          port,
          err: expect.objectContaining({ code: 'EADDRINUSE' }),
        }),
      ]);
    },
  );
});

describe('JSON log lines, written per turn of the event loop (linesPerTurn)', () => {
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
});
