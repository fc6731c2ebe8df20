import type { AppRoutes, FeatureDeps } from './feature.ts';
import { homeApi, homePages } from './home/home-routes.ts';
import { notesApi, notesPages } from './notes/notes-routes.ts';
import { redisNotesRepository } from './notes/redis-notes-repository.ts';

/**
 * The app's own features, in one place: src/server.ts and the tests' app both build from this,
 * so tests serve exactly what runs. Add a feature folder beside home/ and notes/ (the worked
 * example, docs/extending.md) and list its routers here.
 */
export function appFeatures({ config, stores }: FeatureDeps): AppRoutes {
  // Where notes are kept: a database is another NotesRepository passed in this one line.
  const notes = redisNotesRepository({ stores, appName: config.appName });
  return {
    beforeSession: [],
    pages: [homePages(), notesPages(notes)],
    api: [homeApi(), notesApi(notes)],
  };
}
