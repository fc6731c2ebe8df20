import type { Request } from 'express';
/** A host name as the contract has it: ASCII letters, digits, hyphens and dots (labels of 1-63). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.?$/i;
const PORT = /^\d{1,5}$/;

/**
 * Nothing is converted: browsers send internationalised names as punycode, as tenant files hold
 * them, so a raw UTF-8 name, or a look-alike a converter would map onto a tenant, is no host.
 */
export function parseHost(raw: string | undefined): { name: string; port?: number } | undefined {
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(':');
  const name = colon === -1 ? raw : raw.slice(0, colon);
  if (!HOST_NAME.test(name)) return undefined;
  if (colon === -1) return { name };
  const port = raw.slice(colon + 1);
  if (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
  return { name, port: Number(port) };
}

/** Tenants are found by exact lookup of this form: lower case, no port, no trailing dot. */
export function normalizeHost(raw: string | undefined): string | undefined {
  return parseHost(raw)?.name.toLowerCase().replace(/\.$/, '');
}

const CANONICAL = Symbol('canonical host');
type WithHost = Request & { [CANONICAL]?: string | null };

/**
 * `req.host` (X-Forwarded-Host only from TRUST_PROXY) normalised, once per request: several
 * middlewares ask, and each `req.host` read asks the trust function again.
 */
export function requestHost(req: Request): string | undefined {
  const memo = req as WithHost;
  if (memo[CANONICAL] === undefined) memo[CANONICAL] = normalizeHost(req.host) ?? null;
  return memo[CANONICAL] ?? undefined;
}
