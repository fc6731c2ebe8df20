import type { Express, Request } from 'express';

const ROUTE = Symbol('the matched route');
const BASE_URL = Symbol('req.baseUrl when the route matched');

/** What Express puts in `req.route`: the Route whose path matched. */
interface MatchedRoute {
  path: unknown;
}

type Noted = Request & { [ROUTE]?: MatchedRoute; [BASE_URL]?: string };

/**
 * Notes `req.baseUrl` as each route of `app` matches. Express puts the mounted router's base back
 * as an error leaves it, so by the time the error handler answers (a 404 thrown by
 * `/api/sessions/:handle`, say) the base would be gone from the pattern.
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

/**
 * The pattern of the route that answered (`/api/sessions/:handle`), "unmatched" when none did;
 * never the raw path, which would make a label value (and a series) of every URL a client tries.
 */
export function routePattern(req: Request): string {
  const route = req.route as MatchedRoute | undefined;
  if (!route) return 'unmatched';
  const pattern = `${(req as Noted)[BASE_URL] ?? req.baseUrl}${String(route.path)}`;
  // A router's own '/' route under a mount path: '/api/sessions', not '/api/sessions/'.
  return pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
}
