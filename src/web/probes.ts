import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { requestHost } from '../tenants/host.ts';
import type { AppDatabase } from '../db/open-database.ts';
import type { Stores } from '../store/stores.ts';

/** Whatever REDIS_TIMEOUT_MS is, for the contract's 2 s. */
export const READINESS_TIMEOUT_MS = 1500;

/**
 * /healthz never touches Redis, so an outage restarts no app. /readyz is 503 only when the default
 * store or the database cannot serve (a tenant's own Redis fails only that tenant's requests), and
 * lists the stores only to operators: elsewhere it would tell visitors which customers have one.
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
      // Bounded by the database layer itself (DATABASE_STATE_TIMEOUT_MS).
      database.state(),
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
