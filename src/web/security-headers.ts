import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { isApiPath } from './api-path.ts';
import { fixedHeaders } from './fast-paths.ts';

/**
 * Pages (and every answer outside /api): helmet's defaults (a strict Content-Security-Policy with
 * no inline scripts and form-action 'self', nosniff, frame-ancestors 'self' so no other origin,
 * another tenant included, can frame a page, Referrer-Policy no-referrer, HSTS) with one change.
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
 * The JSON API (/api): the headers that protect a JSON answer, stricter than the pages' (OWASP's
 * REST Security Cheat Sheet): a CSP that allows nothing and no framing at all, DENY framing for
 * older browsers, nosniff (JSON is never run as a script or shown as HTML), HSTS, a same-origin
 * resource policy and no referrer. Left out are helmet's headers that act only on an HTML document
 * (Cross-Origin-Opener-Policy, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-XSS-Protection: 0)
 * or only for Internet Explorer and Flash (X-Download-Options, X-Permitted-Cross-Domain-Policies):
 * on a JSON answer they protect nothing, and each header costs every answer (docs/benchmark.md).
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

/**
 * The headers above on every response: the API's under /api, the pages' everywhere else (probes,
 * assets and errors included). A policy that must vary per request (a CSP nonce) needs helmet's
 * middleware itself here instead of fixedHeaders.
 */
export function securityHeaders(): RequestHandler {
  const pages = fixedHeaders(helmet(PAGES));
  const api = fixedHeaders(helmet(API));
  return (req, res, next) => {
    (isApiPath(req.url) ? api : pages)(res);
    next();
  };
}
