import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { isApiPath } from './api-path.ts';
import { fixedHeaders } from './fast-paths.ts';

/**
 * Outside /api, helmet's defaults: among them a CSP without inline scripts and frame-ancestors
 * 'self', so no other origin (another tenant included) can frame a page.
 */
const PAGES: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      // TLS belongs to the proxy in front; upgrading requests on a plain-HTTP development host
      // (http://customer-a.localhost) would send the login form to a port nobody listens on.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * Under /api, OWASP's REST headers: a CSP that allows nothing and no framing at all. Headers that
 * act only on an HTML document or for Internet Explorer and Flash protect nothing on JSON.
 */
const API: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
};

/** A policy that must vary per request (a CSP nonce) needs helmet itself here, not fixedHeaders. */
export function securityHeaders(): RequestHandler {
  const pages = fixedHeaders(helmet(PAGES));
  const api = fixedHeaders(helmet(API));
  return (req, res, next) => {
    (isApiPath(req.url) ? api : pages)(res);
    next();
  };
}
