import { domainToASCII } from 'node:url';

/**
 * Canonical form of a Host header or hostname: lower case, no port, no trailing dot,
 * internationalised names as punycode. Returns undefined for anything that is not a host name.
 * Tenants are found by exact lookup of this form, so "Customer-A.localhost.:80" and
 * "customer-a.localhost" are the same tenant and nothing else is.
 */
export function normalizeHost(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let host = raw.trim();
  if (host === '' || host.startsWith('[')) return undefined; // IP literals are never tenants
  const colon = host.indexOf(':');
  if (colon !== -1) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port)) return undefined;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  // Letters (any script, for IDNs), digits, '.', '-', '_' only: domainToASCII alone would read
  // "evil.test/customer-a.localhost" as a URL and keep part of it.
  if (host === '' || host.length > 253 || /[^\p{L}\p{M}\p{N}._-]/u.test(host)) return undefined;
  const ascii = domainToASCII(host); // '' when the WHATWG URL parser refuses the name
  return /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(ascii) ? ascii : undefined;
}
