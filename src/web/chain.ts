import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Several middlewares that run on every path, as one. Express's router pays for each layer it
 * holds (path matching, parameter processing, restoring the URL) on every request, even for
 * middlewares mounted on every path; the app's own unconditional steps run as one layer instead.
 * The contract is app.use's: `next(err)` goes on to the error handlers (and so does a throw or a
 * rejected promise), `next()` to the next step, and after the last, to the next layer.
 */
export function chain(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (err?: unknown) => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[index++];
      if (handler === undefined) return done();
      try {
        const result: unknown = handler(req, res, next);
        if (result instanceof Promise) {
          result.catch((reason: unknown) => next(reason ?? new Error('Rejected promise')));
        }
      } catch (thrown) {
        next(thrown);
      }
      return undefined;
    };
    next();
  };
}
