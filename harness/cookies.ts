/** What supertest, the plain HTTP client and node:http responses have in common. */
interface WithHeaders {
  headers: Record<string, unknown>;
}

/** The Set-Cookie headers of a response, whole (attributes included). */
export function setCookieHeaders(res: WithHeaders): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
}

/** The `name=value` part of each Set-Cookie header: what a client sends back in Cookie. */
export function cookiesOf(res: WithHeaders): string[] {
  return setCookieHeaders(res).map((c) => c.split(';')[0]!);
}

/** The session id inside an express-session cookie `name=s:<id>.<signature>` (URL-encoded). */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}
