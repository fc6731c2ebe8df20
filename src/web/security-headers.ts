import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults (a strict Content-Security-Policy with no inline scripts and form-action
 * 'self', nosniff, frame-ancestors 'self' so no other origin, another tenant included, can frame
 * a page, Referrer-Policy no-referrer, HSTS) with one change, explained below.
 */
const helmetHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      directives: {
        // TLS belongs to the proxy in front; upgrading requests on a plain-HTTP development host
        // (http://customer-a.localhost) would send the login form to a port nobody listens on.
        upgradeInsecureRequests: null,
      },
    },
  });

/**
 * The headers above on every response. They depend on nothing in the request, so helmet computes
 * them once, at start-up, and each request copies the list instead of running helmet's chain of a
 * dozen middlewares. A policy that must vary per request (a
 * CSP nonce) needs helmet's middleware itself here instead.
 */
export function securityHeaders(): RequestHandler {
  const headers = new Map<string, string>();
  const capture = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  let done = false;
  helmetHeaders()({} as IncomingMessage, capture as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err as Error;
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers synchronously');
  const list = [...headers];
  return (_req, res, next) => {
    for (const [name, value] of list) res.setHeader(name, value);
    next();
  };
}
