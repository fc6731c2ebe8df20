/**
 * The baselines of `npm run bench`: RECIPE=plain is Express alone, GET /api/me a fixed JSON (the
 * ceiling); RECIPE=bare one express-session with one connect-redis store; RECIPE=defended the bare
 * recipe behind the app's own security headers and request logger (at info, as in production).
 */
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { createLogger } from '../src/logger.ts';
import { requestLogger } from '../src/web/fast-paths.ts';
import type { TrustFn } from '../src/web/request-id.ts';
import { securityHeaders } from '../src/web/security-headers.ts';

const recipe = process.env.RECIPE;
const app = express();

if (recipe === 'defended') {
  const trust = app.get('trust proxy fn') as TrustFn;
  app.use(requestLogger(app, { logger: createLogger('info'), trust, autoLogging: true }));
  app.use(securityHeaders());
}

if (recipe === 'plain') {
  app.get('/api/me', (_req, res) => {
    res.json({ user: { username: 'alice', displayName: 'Alice' } });
  });
} else {
  const client = createClient({ url: process.env.REDIS_URL });
  await client.connect();
  app.use(
    session({
      store: new RedisStore({ client, prefix: `bench:${recipe}:` }),
      secret: process.env.SESSION_SECRET!,
      // As the express-session example has them: no write when nothing changed, no key for
      // visitors who never sign in. Nothing else: this is the recipe tenantry is measured against.
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      const username = String((req.body as { username?: string }).username);
      req.session.user = { id: 'bench', username, displayName: 'Bench', role: 'member' };
      req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, '/')));
    });
  });
  app.get('/api/me', (req, res) => {
    if (!req.session.user) res.status(401).json({ error: 'Not signed in' });
    else res.json({ user: req.session.user });
  });
}
// Last, so the measured route is matched first.
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.listen(Number(process.env.PORT), '127.0.0.1');
