import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * The HTTP server for an Express app, as `app.listen` makes it, except that each request and
 * response is created with the app's own prototypes (`app.request`, `app.response`). Express gives
 * every request and response those prototypes as it starts on them (`Object.setPrototypeOf`); for
 * an object created with them already that does nothing, where changing a live object's prototype
 * makes V8 rebuild its hidden class field by field, twice per request: about 22,000 instructions,
 * 4.4 % of a signed-in read's (docs/benchmark.md). The objects are otherwise Node's own.
 */
export function createAppServer(app: Express): Server {
  return createServer(
    {
      IncomingMessage: withPrototype(IncomingMessage, app.request),
      ServerResponse: withPrototype(ServerResponse, app.response),
    },
    app,
  );
}

/** A constructor that builds what `base` builds, with `prototype` as the new object's prototype. */
function withPrototype<C extends typeof IncomingMessage | typeof ServerResponse>(
  base: C,
  prototype: object,
): C {
  function Constructed(...args: unknown[]): object {
    return Reflect.construct(base, args, Constructed) as object;
  }
  Constructed.prototype = prototype;
  return Constructed as unknown as C;
}
