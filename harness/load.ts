import http from 'node:http';
import { timedRequest } from './http-client.ts';
import { sleep } from './polling.ts';

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
          const res = await timedRequest({
            port,
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
          await sleep(thinkMs);
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return samples.sort((a, b) => a.startedAt - b.startedAt);
}
