import type { Request } from 'express';
/** A host name as the contract has it: ASCII letters, digits, hyphens and dots (labels of 1-63). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.?$/i;
const PORT = /^\d{1,5}$/;

/**
 * A `Host` header (or a trusted `X-Forwarded-Host`) split into its name and port, or undefined
 * when it is not `name[:port]` with an ASCII host name and a port from 1 to 65535. Nothing is
 * converted: browsers send internationalised names as punycode, and that is what tenant files
 * hold, so a raw UTF-8 name (or a look-alike that a converter would map onto a tenant, such as
 * "customer-\xaa.localhost") is no host at all. IP literals in brackets are refused too; an IPv4
 * address is letters, digits and dots, and stays a host (probes are asked at 127.0.0.1:3000).
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

/**
 * Canonical form of a host: lower case, no port, no trailing dot; undefined for anything that is
 * not a host (see parseHost). Tenants are found by exact lookup of this form, so
 * "Customer-A.localhost.:80" and "customer-a.localhost" are the same tenant and nothing else is.
 */
export function normalizeHost(raw: string | undefined): string | undefined {
  return parseHost(raw)?.name.toLowerCase().replace(/\.$/, '');
}

const CANONICAL = Symbol('canonical host');
type WithHost = Request & { [CANONICAL]?: string | null };

/**
 * This request's host in canonical form (normalizeHost of `req.host`, which takes
 * X-Forwarded-Host only from a proxy TRUST_PROXY names), or undefined when it is not a host name.
 * Worked out once per request: the strict-request check, the front door and tenant resolution all
 * ask, and each of Express's `req.host` reads asks the trust function again.
 */
export function requestHost(req: Request): string | undefined {
  const memo = req as WithHost;
  if (memo[CANONICAL] === undefined) memo[CANONICAL] = normalizeHost(req.host) ?? null;
  return memo[CANONICAL] ?? undefined;
}
