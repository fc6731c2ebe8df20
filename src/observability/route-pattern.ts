import type { Express, Request } from 'express';

const ROUTE = Symbol('the matched route');
const BASE_URL = Symbol('req.baseUrl when the route matched');

interface MatchedRoute {
  path: unknown;
}

type Noted = Request & { [ROUTE]?: MatchedRoute; [BASE_URL]?: string };

/**
 * Express restores a mounted router's base as an error leaves it, so by the time the error handler
 * answers, the base would be gone from the pattern.
 */
export function keepRouteBase(app: Express): void {
  Object.defineProperty(app.request, 'route', {
    configurable: true,
    get(this: Noted) {
      return this[ROUTE];
    },
    set(this: Noted, route: MatchedRoute) {
      this[ROUTE] = route;
      this[BASE_URL] = this.baseUrl;
    },
  });
}

/** Never the raw path, which would make a label value (a series) of every URL a client tries. */
export function routePattern(req: Request): string {
  const route = req.route as MatchedRoute | undefined;
  if (!route) return 'unmatched';
  const pattern = `${(req as Noted)[BASE_URL] ?? req.baseUrl}${String(route.path)}`;
  // A router's own '/' route under a mount path: '/api/sessions', not '/api/sessions/'.
  return pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
}
