import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * Logs one warning, the first time a request carries X-Forwarded-For; installed only while
 * TRUST_PROXY is unset.
 * That is usually a proxy in front of the app that nobody named: every client then shares the
 * proxy's address, so the per-address login limit turns away every new browser of a tenant once
 * one visitor has failed often enough, and per-user lockouts reach everyone behind the proxy.
 */
export function untrustedProxyWarning(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined) {
      warned = true;
      logger.warn(
        { remoteAddress: req.socket.remoteAddress },
        'A request came with X-Forwarded-For, but TRUST_PROXY is unset, so it is ignored: if a proxy is in front of the app, every client counts as its address for the login limits. Set TRUST_PROXY to the proxy’s address or subnet.',
      );
    }
    next();
  };
}
