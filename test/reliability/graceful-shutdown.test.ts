import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulShutdown } from '../../src/shutdown.ts';
import { sleep } from '../../harness/polling.ts';

/** A server whose /slow answers only when `release()` is called; everything else at once. */
function slowServer() {
  const waiting: (() => void)[] = [];
  const server = createServer((req, res) => {
    const answer = () => res.end('done');
    if (req.url === '/slow') waiting.push(answer);
    else answer();
  });
  return { server, release: () => waiting.splice(0).forEach((answer) => answer()) };
}

const listening = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/** GET on a keep-alive agent-less socket: the answer's status, Connection header and body. */
function get(port: number, path: string) {
  return new Promise<{ status?: number; connection?: string; body: string }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, headers: { Connection: 'keep-alive' } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () =>
        resolve({ status: res.statusCode, connection: res.headers.connection, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  servers = [];
});

function setUp(timeoutMs = 2000) {
  const main = slowServer();
  const internal = slowServer();
  servers = [main.server, internal.server];
  const exits: number[] = [];
  const closed: string[] = [];
  const shutdown = gracefulShutdown({
    servers,
    timeoutMs,
    forceExitMs: timeoutMs + 2000,
    close: async () => void closed.push('parts'),
    logger: pino({ level: 'silent' }),
    exit: (code) => void exits.push(code),
    drainGraceMs: 50,
  });
  return { main, internal, shutdown, exits, closed };
}

describe('graceful shutdown', () => {
  it('when a signal comes with a request in flight, then it is answered, new connections are refused, the parts close and the exit is 0', async () => {
    const { main, internal, shutdown, exits, closed } = setUp();
    const [port, internalPort] = [await listening(main.server), await listening(internal.server)];
    const inFlight = get(port, '/slow');
    await sleep(50);

    const stopped = shutdown.onSignal('SIGTERM');
    expect(shutdown.stopping).toBe(true);
    await expect(get(port, '/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(get(internalPort, '/')).rejects.toThrow(/ECONNREFUSED/);
    expect(exits).toEqual([]);

    main.release();
    expect(await inFlight).toMatchObject({ status: 200, body: 'done' });
    await stopped;
    expect(closed).toEqual(['parts']);
    expect(exits).toEqual([0]);
  });

  it('when a request is still running at the timeout, then its connection is closed and the exit is still 0', async () => {
    const { main, shutdown, exits } = setUp(300);
    const port = await listening(main.server);
    await listening(servers[1]!);
    const stuck = get(port, '/slow');
    await sleep(50);
    const started = performance.now();
    await shutdown.onSignal('SIGTERM');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(exits).toEqual([0]);
  });

  it('when a second signal arrives during the shutdown, then it exits at once, non-zero', async () => {
    const { main, shutdown, exits } = setUp();
    const port = await listening(main.server);
    await listening(servers[1]!);
    void get(port, '/slow').catch(() => undefined);
    await sleep(50);
    void shutdown.onSignal('SIGTERM');
    await shutdown.onSignal('SIGINT');
    expect(exits).toEqual([1]);
    main.release();
  });

  it('when a keep-alive connection is idle at the signal, then it is closed after the grace period', async () => {
    const { main, shutdown } = setUp();
    const port = await listening(main.server);
    await listening(servers[1]!);
    expect(await get(port, '/')).toMatchObject({ status: 200 });
    await shutdown.onSignal('SIGTERM');
    const connections = await new Promise<number>((resolve) =>
      main.server.getConnections((_err, n) => resolve(n)),
    );
    expect(connections).toBe(0);
  });
});
