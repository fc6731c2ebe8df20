import helmet from 'helmet';

/**
 * helmet's defaults (a strict Content-Security-Policy with no inline scripts and form-action
 * 'self', nosniff, frame-ancestors 'self' so no other origin, another tenant included, can frame
 * a page, Referrer-Policy no-referrer, HSTS) with one change, explained below.
 */
export const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      directives: {
        // TLS belongs to the proxy in front; upgrading requests on a plain-HTTP development host
        // (http://customer-a.localhost) would send the login form to a port nobody listens on.
        upgradeInsecureRequests: null,
      },
    },
  });
