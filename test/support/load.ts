import http from 'node:http';
import { cookiesOf, plainRequest, type PlainResponse } from '../../scripts/stack/http.ts';

export interface Answer extends PlainResponse {
  /** status is 0 when no HTTP answer came (connection error or the client-side abort). */
  ms: number;
  error?: string;
}

export interface RequestOptions {
  method?: string;
  path: string;
  host: string;
  cookie?: string;
  accept?: string;
  form?: Record<string, string>;
  agent?: http.Agent;
  /** Client-side abort, so a hang is measured rather than waited out. */
  timeoutMs?: number;
}

/** One HTTP request to 127.0.0.1 with a chosen Host header, timed; never rejects. */
export async function request(port: number, options: RequestOptions): Promise<Answer> {
  const { cookie, accept, ...rest } = options;
  const headers: Record<string, string> = {};
  if (cookie) headers.Cookie = cookie;
  if (accept) headers.Accept = accept;
  const started = performance.now();
  try {
    const res = await plainRequest({ port, ...rest, headers });
    return { ...res, ms: performance.now() - started };
  } catch (err) {
    const error = (err as Error).message;
    return { status: 0, headers: {}, body: '', ms: performance.now() - started, error };
  }
}

export interface Who {
  host: string;
  username: string;
  password: string;
}

/**
 * Signs in through POST /login; returns the `name=value` cookie to send afterwards. Tests sign in
 * as setup, several at once: each is a scrypt hash, and the app runs a few at a time
 * (src/auth/hash-queue.ts), so on a busy two-core machine the last can take several seconds.
 */
export async function signIn(port: number, who: Who): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/login',
    host: who.host,
    form: { username: who.username, password: who.password },
    timeoutMs: 20_000,
  });
  const [cookie] = cookiesOf(res);
  if (res.status !== 303 || !cookie) {
    throw new Error(`sign-in as ${who.username} answered ${res.status} ${res.error ?? res.body}`);
  }
  return cookie;
}

export interface Sample {
  client: number;
  /** performance.now() when the request was sent. */
  startedAt: number;
  ms: number;
  status: number;
  retryAfter?: string;
  contentType?: string;
  error?: string;
}

export interface LoadOptions {
  port: number;
  clients: { host: string; cookie: string }[];
  durationMs: number;
  path?: string;
  /** Pause between one client's requests, so a 2-core box serves the load without queueing. */
  thinkMs?: number;
}

/** Each client asks `path` (signed in, JSON) over its own keep-alive connection until the time is up. */
export async function runLoad(options: LoadOptions): Promise<Sample[]> {
  const { port, clients, durationMs, path = '/api/me', thinkMs = 25 } = options;
  const samples: Sample[] = [];
  const end = performance.now() + durationMs;
  await Promise.all(
    clients.map(async ({ host, cookie }, client) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (performance.now() < end) {
          const startedAt = performance.now();
          const res = await request(port, {
            path,
            host,
            cookie,
            accept: 'application/json',
            agent,
          });
          samples.push({
            client,
            startedAt,
            ms: res.ms,
            status: res.status,
            retryAfter: res.headers['retry-after'],
            contentType: res.headers['content-type'],
            error: res.error,
          });
          await new Promise((resolve) => setTimeout(resolve, thinkMs));
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return samples.sort((a, b) => a.startedAt - b.startedAt);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
