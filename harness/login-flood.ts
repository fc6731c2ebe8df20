import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Who } from './sign-in.ts';
import { timedRequest, type TimedResponse as Answer } from './http-client.ts';

export interface AbandonedLogins {
  host: string;
  count: number;
  /** How long after sending each request its socket is destroyed; 0: at once. */
  hangUpAfterMs?: number;
  prefix?: string;
}

/**
 * Sends `count` complete `POST /login` requests, each with a fresh username, and hangs up on each
 * right after sending it (or `hangUpAfterMs` later, time for a proxy to pass it on): the shape of
 * a login flood whose sender never waits for an answer. Resolves once every socket is destroyed.
 */
export async function sendAbandonedLogins(
  port: number,
  { host, count, hangUpAfterMs = 0, prefix = 'flood' }: AbandonedLogins,
): Promise<void> {
  const tag = Math.random().toString(36).slice(2, 8);
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const body = `username=${prefix}-${tag}-${i}&password=not-the-password-${i}`;
      const head = [
        'POST /login HTTP/1.1',
        `Host: ${host}`,
        'Content-Type: application/x-www-form-urlencoded',
        `Content-Length: ${body.length}`,
        'Connection: close',
      ].join('\r\n');
      return new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`${head}\r\n\r\n${body}`, () => {
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, hangUpAfterMs);
          });
        });
        socket.on('error', () => resolve());
      });
    }),
  );
}

/** One sign-in through `POST /login`, timed; a 303 is a success. Never rejects. */
export const timedLogin = (port: number, who: Who, timeoutMs = 60_000): Promise<Answer> =>
  timedRequest({
    port,
    method: 'POST',
    path: '/login',
    host: who.host,
    form: { username: who.username, password: who.password },
    timeoutMs,
  });

/** `GET /assets/site.css`, timed (a static file: no Redis, only the event loop and file reads). */
export const timedAsset = (port: number, host: string, timeoutMs = 60_000): Promise<Answer> =>
  timedRequest({ port, path: '/assets/site.css', host, timeoutMs });

/**
 * Password spraying from one address: `count` failed sign-ins, each with another username, a few
 * at a time. Returns how many were answered with each status.
 */
export async function spray(
  port: number,
  { host, count, parallel = 4 }: { host: string; count: number; parallel?: number },
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  const tag = Math.random().toString(36).slice(2, 8);
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, i) =>
      timedRequest({
        port,
        method: 'POST',
        path: '/login',
        host,
        form: { username: `spray-${tag}-${start + i}`, password: 'Summer2025!' },
        timeoutMs: 60_000,
      }),
    );
    for (const answer of await Promise.all(batch)) {
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    }
  }
  return statuses;
}

/**
 * `parallel` sign-ins at a time at `host` until `stop` aborts, each waiting for its answer, each a
 * fresh username from a fresh address (X-Forwarded-For: the server must trust the sender), so no
 * limit stops them and every one is hashed: a botnet's flood. Resolves with the count of each
 * status once the last one is answered.
 */
export async function sustainedFlood(
  port: number,
  { host, parallel, stop }: { host: string; parallel: number; stop: AbortSignal },
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  const tag = Math.random().toString(36).slice(2, 8);
  let sent = 0;
  const loop = async () => {
    while (!stop.aborted) {
      const i = sent++;
      const answer = await timedRequest({
        port,
        method: 'POST',
        path: '/login',
        host,
        headers: { 'X-Forwarded-For': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        form: { username: `flood-${tag}-${i}`, password: 'not-the-password' },
        timeoutMs: 60_000,
      });
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  return statuses;
}

export interface PendingLogin {
  /** The status (0 if aborted or failed), Retry-After, and performance.now() when it ended. */
  answer: Promise<{ status: number; retryAfter?: string; at: number }>;
  /** Hangs up, if no answer has come yet. */
  abort(): void;
}

/** One `POST /login` that waits for its answer until `abort()`; `forwardedFor` sets X-Forwarded-For. */
export function pendingLogin(
  port: number,
  { host, username, password, forwardedFor }: Who & { forwardedFor?: string },
): PendingLogin {
  const controller = new AbortController();
  const body = new URLSearchParams({ username, password }).toString();
  const headers: Record<string, string> = {
    Host: host,
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': String(Buffer.byteLength(body)),
  };
  if (forwardedFor) headers['X-Forwarded-For'] = forwardedFor;
  const answer = new Promise<{ status: number; retryAfter?: string; at: number }>((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/login', headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            at: performance.now(),
          }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0, at: performance.now() }));
    controller.signal.addEventListener('abort', () => req.destroy());
    req.end(body);
  });
  return { answer, abort: () => controller.abort() };
}
