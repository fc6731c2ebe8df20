import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { requestHost } from '../tenants/host.ts';
import type { AppDatabase } from '../db/open-database.ts';
import type { Stores } from '../store/stores.ts';

/** The readiness answer comes within this, whatever REDIS_TIMEOUT_MS is (the contract says 2 s). */
export const READINESS_TIMEOUT_MS = 1500;

/**
 * Probes for orchestrators, answered on any host and before tenant resolution.
 * /healthz: the process is alive (never touches Redis, so a Redis outage does not restart apps).
 * /readyz: every store in use and the database, asked at once, each within READINESS_TIMEOUT_MS:
 *   {"status": "ready" | "unavailable", "stores": [{"name", "kind", "state"}]}
 * with the default store first as "default", each tenant store named by its `urlEnv`, and the
 * database last as "database". 503 only when the default store ("down"; a cluster: no primary
 * answers) or the database cannot serve: a tenant's own Redis being down fails that tenant's
 * requests, not this replica's place behind the proxy. The list is
 * for operators (a central host, or an address as orchestrators ask): on any other host it would
 * tell a tenant's visitors which customers have a store of their own, so there only the status.
 */
export interface ProbesOptions {
  stores: Stores;
  database: AppDatabase;
  /** CENTRAL_HOSTS: where, besides IP-literal hosts, the list of stores is shown. */
  centralHosts: readonly string[];
}

export function probes({ stores, database, centralHosts }: ProbesOptions): {
  healthz: RequestHandler;
  readyz: RequestHandler;
} {
  const central = new Set(centralHosts);
  const forOperators = (req: Request) => {
    const host = requestHost(req);
    return host !== undefined && (central.has(host) || isIP(host) !== 0);
  };
  const healthz: RequestHandler = (_req, res) => {
    res.json({ status: 'ok' });
  };
  const readyz: RequestHandler = async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const listed = forOperators(req);
    // The status depends on the default store and the database, so that is all an unlisted answer asks.
    const asked = listed ? stores.all() : [stores.default];
    const [databaseState, ...states] = await Promise.all([
      withinBound(database.state()),
      ...asked.map((store) => withinBound(store.state())),
    ]);
    const ready = states[0] !== 'down' && databaseState !== 'down';
    const status = ready ? 'ready' : 'unavailable';
    const listing = () => [
      ...asked.map((store, i) => ({ name: store.name, kind: store.kind, state: states[i] })),
      { name: 'database', kind: database.kind, state: databaseState },
    ];
    res.status(ready ? 200 : 503).json(listed ? { status, stores: listing() } : { status });
  };
  return { healthz, readyz };
}

function withinBound<S extends string>(state: Promise<S>): Promise<S | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), READINESS_TIMEOUT_MS);
  });
  return Promise.race([state.catch(() => 'down' as const), late]).finally(() =>
    clearTimeout(timer),
  );
}
