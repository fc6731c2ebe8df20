import type { RequestHandler } from 'express';
import { parseHost } from '../tenants/host.ts';
import type { TenantRegistry } from '../tenants/registry.ts';
import { tenantResolver, type DomainTenants } from '../tenants/tenant-resolver.ts';

export interface TlsAskOptions {
  tenants: TenantRegistry;
  centralHosts: readonly string[];
  /** Customers' verified domains, in memory (src/domains/verified-domains.ts). */
  domains?: DomainTenants;
}

/**
 * Caddy's on-demand TLS `ask`, answered from memory: strangers cannot mint certificates (and
 * exhaust the CA's rate limits), and an outage never stops a handshake.
 */
export function tlsAsk({ tenants, centralHosts, domains }: TlsAskOptions): RequestHandler {
  const central = new Set(centralHosts);
  const resolve = tenantResolver(tenants, domains);
  return (req, res) => {
    const raw = req.query.domain;
    const host = typeof raw === 'string' ? parseHost(raw) : undefined;
    // A name only: a port, an empty value or a list is no domain.
    if (host === undefined || host.port !== undefined) {
      res.status(400).json({ error: 'Send one host name as ?domain=.' });
      return;
    }
    const name = host.name.toLowerCase().replace(/\.$/, '');
    const known = !central.has(name) && resolve(name) !== undefined;
    res.status(known ? 200 : 404).json({ domain: name, allowed: known });
  };
}
