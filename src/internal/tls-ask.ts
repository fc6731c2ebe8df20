import type { RequestHandler } from 'express';
import { parseHost } from '../tenants/host.ts';
import type { TenantRegistry } from '../tenants/registry.ts';

export interface TlsAskOptions {
  tenants: TenantRegistry;
  centralHosts: readonly string[];
}

/**
 * Caddy's on-demand TLS `ask`: 200 lets Caddy get a certificate for `?domain=`, anything else
 * refuses. Yes only for a tenant's host, answered from memory, so strangers cannot mint
 * certificates (and exhaust the CA's rate limits) and a store outage never stops a handshake.
 */
export function tlsAsk({ tenants, centralHosts }: TlsAskOptions): RequestHandler {
  const central = new Set(centralHosts);
  return (req, res) => {
    const raw = req.query.domain;
    const host = typeof raw === 'string' ? parseHost(raw) : undefined;
    // A name only: a port, an empty value or a list is no domain.
    if (host === undefined || host.port !== undefined) {
      res.status(400).json({ error: 'Send one host name as ?domain=.' });
      return;
    }
    const name = host.name.toLowerCase().replace(/\.$/, '');
    const known = !central.has(name) && tenants.resolve(name) !== undefined;
    res.status(known ? 200 : 404).json({ domain: name, allowed: known });
  };
}
