import { Router } from 'express';
import type { Stores } from '../store/stores.ts';

/** The readiness answer comes within this, whatever REDIS_TIMEOUT_MS is (the contract says 2 s). */
export const READINESS_TIMEOUT_MS = 1500;

/**
 * Probes for orchestrators, answered on any host and before tenant resolution.
 * /healthz: the process is alive (never touches Redis, so a Redis outage does not restart apps).
 * /readyz: the default store answers a PING, within READINESS_TIMEOUT_MS.
 */
export function probeRoutes(stores: Stores): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const store = stores.default;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)),
        READINESS_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([store.ping(), late]);
      res.json({ status: 'ready', store: store.kind });
    } catch (err) {
      // Debug only: the store logs the outage once, and probes repeat every few seconds.
      req.log.debug({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', store: store.kind });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
