import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

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
  /** Shorthands for the two headers nearly every caller sets. */
  cookie?: string;
  accept?: string;
  /** urlencoded form body (the method then defaults to POST) */
  form?: Record<string, string>;
  /** Default: a fresh connection per request. */
  agent?: Agent;
  /** Bound on the whole exchange (default 5 s), so a hang is measured rather than waited out. */
  timeoutMs?: number;
  /** HTTPS, trusting this root (PEM) only, with the Host's name as the TLS server name. */
  ca?: string;
}

/**
 * One HTTP request (HTTPS with `ca`) to 127.0.0.1 with any Host header, no redirects followed. Node's resolver does
 * not map *.localhost to loopback the way browsers and curl do, and fetch() will not send a Host
 * of our choosing, so everything that talks to a real socket (the stack, the server process, the
 * compose and soak suites, the benchmark) uses this. Rejects when no HTTP answer comes.
 */
export function plainRequest(req: PlainRequest): Promise<PlainResponse> {
  const body = req.form ? new URLSearchParams(req.form).toString() : undefined;
  const headers: Record<string, string> = { ...req.headers };
  if (req.host) headers.Host = req.host;
  if (req.cookie) headers.Cookie = req.cookie;
  if (req.accept) headers.Accept = req.accept;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const tls = req.ca && { ca: req.ca, servername: (req.host ?? '').replace(/:\d+$/, '') };
  return new Promise((resolve, reject) => {
    const r = (tls ? httpsRequest : request)(
      {
        ...tls,
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

export interface TimedResponse extends PlainResponse {
  /** How long the exchange took, answered or not. */
  ms: number;
  /** Set, with status 0, when no HTTP answer came (connection error or the timeout). */
  error?: string;
}

/**
 * plainRequest, timed, and never rejecting: load and fault tests count a refused connection or a
 * timeout as an outcome like any status, rather than stopping at the first one.
 */
export async function timedRequest(req: PlainRequest): Promise<TimedResponse> {
  const started = performance.now();
  try {
    const res = await plainRequest(req);
    return { ...res, ms: performance.now() - started };
  } catch (err) {
    const error = (err as Error).message;
    return { status: 0, headers: {}, body: '', ms: performance.now() - started, error };
  }
}
