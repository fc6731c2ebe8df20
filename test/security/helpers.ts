import { createHmac } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { tenantSigningKeys } from '../../src/sessions/signing-keys.ts';
import { DEMO_TENANTS_DIR } from '../../harness/demo.ts';

declare module 'express-session' {
  interface SessionData {
    /** Written by test routes, as an app's own route might (a cart, a preference). */
    visits: number;
  }
}

/**
 * An express-session cookie value for `sid`, signed the way express-session signs it
 * (`s:` + cookie-signature's sign: sid + '.' + base64 HMAC-SHA256 without '='), URL-encoded.
 */
export function signedCookieValue(sid: string, key: string): string {
  const mac = createHmac('sha256', key).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${mac}`);
}

/** A Cookie header value that `tenantId` would accept for `sid`, under SESSION_SECRET's list. */
export function cookieFor(
  tenantId: string,
  sid: string,
  secrets: readonly string[],
  name = 'sid',
): string {
  const [key] = tenantSigningKeys(secrets, tenantId);
  return `${name}=${signedCookieValue(sid, key!)}`;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

/**
 * Sends bytes exactly as given (no client-side header validation, unlike supertest), so tests can
 * send what an attacker's own client would: any Host, any path, any header size. The request
 * should carry `Connection: close`.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  { halfClose = false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer and close before it has read everything we sent.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish();
      else reject(err);
    });
    socket.on('end', finish);
    socket.on('close', finish);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    }
    // Not end() by default: a half-closed client makes Node drop a response still being made.
    // `Connection: close` (or a parse error) makes the server close once it has answered;
    // halfClose is for requests that may never be complete (status 0 then means no answer).
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return { status, headers, body: end === -1 ? '' : text.slice(end + 4) };
}

/** Every key the test app made, with its value, to compare before and after an attack. */
export async function snapshot(t: {
  keys(): Promise<string[]>;
  redis: { mGet(keys: string[]): Promise<(string | null)[]> };
}): Promise<Map<string, string | null>> {
  const keys = await t.keys();
  const values = keys.length > 0 ? await t.redis.mGet(keys) : [];
  return new Map(keys.map((key, i) => [key, values[i] ?? null]));
}

/** Keys added, removed or changed between two snapshots. */
export function changedKeys(
  before: Map<string, string | null>,
  after: Map<string, string | null>,
): string[] {
  const all = new Set([...before.keys(), ...after.keys()]);
  return [...all].filter((key) => before.get(key) !== after.get(key)).sort();
}

/**
 * Whether `key` is one of this tenant's, by the layout every key follows (src/sessions/keys.ts):
 * `<kind>:<tenant>:<app>:…`, or `<kind>:{<tenant>:<app>:…` with a hash tag. A feature's new keys
 * are covered without a list of prefixes to keep.
 */
export function inTenantPrefix(key: string, tenantId: string, appName: string): boolean {
  const kind = key.slice(0, key.indexOf(':') + 1);
  const rest = key.slice(kind.length);
  return (
    /^[a-z][a-z-]*:$/.test(kind) && rest.replace(/^\{/, '').startsWith(`${tenantId}:${appName}:`)
  );
}

/**
 * A temporary tenants directory: the demo tenants' files, changed or joined by `files`
 * (file name -> tenant object). Remove it with `rm(dir, { recursive: true })` when done.
 */
export async function tenantsDir(files: Record<string, Record<string, unknown>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-tenants-'));
  for (const name of await readdir(DEMO_TENANTS_DIR)) {
    if (name.endsWith('.json') && !name.endsWith('.schema.json')) {
      await copyFile(join(DEMO_TENANTS_DIR, name), join(dir, name));
    }
  }
  for (const [name, tenant] of Object.entries(files)) {
    await writeFile(join(dir, name), JSON.stringify(tenant, null, 2));
  }
  return dir;
}

/** A demo tenant file as an object, to copy and change. */
export async function demoTenant(id: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(DEMO_TENANTS_DIR, `${id}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}
