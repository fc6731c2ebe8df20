import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { requestHost } from '../tenants/host.ts';
import type { StoreState } from '../store/store.ts';
import type { Stores } from '../store/stores.ts';

/** The readiness answer comes within this, whatever REDIS_TIMEOUT_MS is (the contract says 2 s). */
export const READINESS_TIMEOUT_MS = 1500;

/**
 * Probes for orchestrators, answered on any host and before tenant resolution.
 * /healthz: the process is alive (never touches Redis, so a Redis outage does not restart apps).
 * /readyz: every store in use, asked at once, each within READINESS_TIMEOUT_MS:
 *   {"status": "ready" | "unavailable", "stores": [{"name", "kind", "state"}]}
 * with the default store first as "default" and each tenant store named by its `urlEnv`. 503 only
 * when the default store cannot serve ("down"; a cluster: no primary answers): a tenant's own Redis
 * being down fails that tenant's requests, not this replica's place behind the proxy. The list is
 * for operators (a central host, or an address as orchestrators ask): on any other host it would
 * tell a tenant's visitors which customers have a store of their own, so there only the status.
 */
export function probes(
  stores: Stores,
  centralHosts: readonly string[],
): { healthz: RequestHandler; readyz: RequestHandler } {
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
    // The status depends on the default store alone, so that is all an unlisted answer asks.
    const asked = listed ? stores.all() : [stores.default];
    const states = await Promise.all(asked.map((store) => withinBound(store.state())));
    const ready = states[0] !== 'down';
    const status = ready ? 'ready' : 'unavailable';
    res.status(ready ? 200 : 503).json(
      listed
        ? {
            status,
            stores: asked.map((store, i) => ({
              name: store.name,
              kind: store.kind,
              state: states[i],
            })),
          }
        : { status },
    );
  };
  return { healthz, readyz };
}

function withinBound(state: Promise<StoreState>): Promise<StoreState> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StoreState>((resolve) => {
    timer = setTimeout(() => resolve('down'), READINESS_TIMEOUT_MS);
  });
  return Promise.race([state.catch(() => 'down' as const), late]).finally(() =>
    clearTimeout(timer),
  );
}
