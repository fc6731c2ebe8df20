import http from 'node:http';

export interface Answer {
  /** 0 when no HTTP answer came (connection error or the client-side abort). */
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
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

/** One HTTP request to 127.0.0.1 with a chosen Host header (fetch cannot set Host). */
export function request(port: number, options: RequestOptions): Promise<Answer> {
  const { method = 'GET', path, host, cookie, accept, form, agent, timeoutMs = 5000 } = options;
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers: http.OutgoingHttpHeaders = { Host: host };
  if (cookie) headers.Cookie = cookie;
  if (accept) headers.Accept = accept;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers,
        agent: agent ?? false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', (err) => fail(err));
      },
    );
    const fail = (err: Error) =>
      resolve({
        status: 0,
        headers: {},
        body: '',
        ms: performance.now() - started,
        error: err.message,
      });
    req.on('error', fail);
    req.end(body);
  });
}

export interface Who {
  host: string;
  username: string;
  password: string;
}

/** Signs in through POST /login; returns the `name=value` cookie to send afterwards. */
export async function signIn(port: number, who: Who): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/login',
    host: who.host,
    form: { username: who.username, password: who.password },
  });
  const cookie = [res.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];
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
