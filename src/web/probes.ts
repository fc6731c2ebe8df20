import type { RequestHandler } from 'express';
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
 * being down fails that tenant's requests, not this replica's place behind the proxy.
 */
export function probes(stores: Stores): { healthz: RequestHandler; readyz: RequestHandler } {
  const healthz: RequestHandler = (_req, res) => {
    res.json({ status: 'ok' });
  };
  const readyz: RequestHandler = async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const all = stores.all();
    const states = await Promise.all(all.map((store) => withinBound(store.state())));
    const ready = states[0] !== 'down';
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      stores: all.map((store, i) => ({ name: store.name, kind: store.kind, state: states[i] })),
    });
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
