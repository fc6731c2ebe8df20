import type { AppRoutes, FeatureDeps } from './feature.ts';
import { homeApi, homePages } from './home/home-routes.ts';

/**
 * The app's own features, in one place: src/server.ts and the tests' app both build from this,
 * so tests serve exactly what runs. Add a feature folder beside home/ and list its routers here.
 */
export function appFeatures(_deps: FeatureDeps): AppRoutes {
  return {
    beforeSession: [],
    pages: [homePages()],
    api: [homeApi()],
  };
}
