import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * Installed while TRUST_PROXY is unset: an X-Forwarded-For then usually means an unnamed proxy,
 * behind which every client shares one address and so one set of login limits.
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
