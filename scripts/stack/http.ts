import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface PlainResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface PlainRequest {
  port: number;
  /** Sent as the Host header; the connection always goes to 127.0.0.1. */
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** urlencoded form body */
  form?: Record<string, string>;
  /** Default: a fresh connection per request. */
  agent?: Agent;
  /** Bound on the whole exchange, so a hang is measured rather than waited out. */
  timeoutMs?: number;
}

/**
 * One HTTP request to 127.0.0.1 with any Host header, no redirects followed. Node's resolver does
 * not map *.localhost to loopback the way browsers and curl do, and fetch() will not send a Host
 * of our choosing, so the stack's checks use this.
 */
export function plainRequest(req: PlainRequest): Promise<PlainResponse> {
  const body = req.form ? new URLSearchParams(req.form).toString() : undefined;
  const headers: Record<string, string> = { ...req.headers };
  if (req.host) headers.Host = req.host;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port: req.port,
        path: req.path ?? '/',
        method: req.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        agent: req.agent ?? false,
        signal: AbortSignal.timeout(req.timeoutMs ?? 5000),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

/** The Set-Cookie headers of a response, whole (attributes included). */
export function setCookieHeaders(res: { headers: Record<string, unknown> }): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
}

/** The `name=value` part of each Set-Cookie header. */
export function cookiesOf(res: { headers: Record<string, unknown> }): string[] {
  return setCookieHeaders(res).map((c) => c.split(';')[0]!);
}

/** Polls until `check` resolves, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 20_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
