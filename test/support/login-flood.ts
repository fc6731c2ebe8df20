import { connect } from 'node:net';
import { request, type Answer } from './load.ts';

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

export interface Who {
  host: string;
  username: string;
  password: string;
}

/** One sign-in through `POST /login`, timed; a 303 is a success. Never rejects. */
export const timedLogin = (port: number, who: Who, timeoutMs = 60_000): Promise<Answer> =>
  request(port, {
    method: 'POST',
    path: '/login',
    host: who.host,
    form: { username: who.username, password: who.password },
    timeoutMs,
  });

/** `GET /assets/site.css`, timed (a static file: no Redis, only the event loop and file reads). */
export const timedAsset = (port: number, host: string, timeoutMs = 60_000): Promise<Answer> =>
  request(port, { path: '/assets/site.css', host, timeoutMs });

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
      request(port, {
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
