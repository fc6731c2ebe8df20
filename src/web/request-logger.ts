import type { Express, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { requestIdGenerator, type TrustFn } from './request-id.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's id, also its X-Request-Id. */
      id: string;
      /** A logger whose lines carry the request's id (reqId). */
      log: Logger;
    }
    interface Locals {
      /** What the request line logs as the URL, when the real one holds a secret (a link's token). */
      loggedUrl?: string;
    }
  }
}

export interface RequestLoggerOptions {
  logger: Logger;
  /** Express's compiled `trust proxy` function: only a trusted proxy's request id is kept. */
  trust: TrustFn;
  /** A line per request; off in tests. */
  autoLogging: boolean;
}

/**
 * A line per request (pino-http's shape: reqId, req, res, responseTime, "request completed"), and
 * `req.log` for routes. Every response carries X-Request-Id; a trusted proxy's own id is kept, so
 * one request can be followed from the proxy's log to ours. Written here rather than with
 * pino-http, which builds two child loggers and serialises the request for every request (its
 * `child` alone was 1.8 % of a signed-in read in docs/benchmark.md's profile): here the line is one
 * object written at the end, and `req.log`'s child logger is made only when a route logs.
 */
export function requestLogger(app: Express, options: RequestLoggerOptions): RequestHandler {
  const { logger, trust, autoLogging } = options;
  const requestId = requestIdGenerator(trust);
  // The request line has a fixed shape (method, path, Host, status, time): no header, body or
  // cookie is ever in it, so it skips the redaction that guards free-form lines (a walk and a copy
  // of every line: about 2 % of a signed-in read in the profile).
  const lines = logger.child({}, { redact: [] });
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request) {
      const log = logger.child({ reqId: this.id });
      Object.defineProperty(this, 'log', { value: log, configurable: true });
      return log;
    },
  });
  // One listener for every response, not a closure (and `once` wrapper) per request: 'close'
  // comes once per response, after it was sent or when the client went first.
  function completed(this: Response) {
    logRequest(lines, this.req, this, Date.now() - (this as Timed)[STARTED_AT]);
  }
  return (req, res, next) => {
    req.id = requestId(req, res);
    if (autoLogging) {
      (res as Timed)[STARTED_AT] = Date.now();
      res.on('close', completed);
    }
    next();
  };
}

/** When the response's request came in (ms since the epoch). */
const STARTED_AT = Symbol('request started at');
type Timed = Response & { [STARTED_AT]: number };

function logRequest(logger: Logger, req: Request, res: Response, responseTime: number) {
  const { statusCode } = res;
  // A 503 while Redis is away is an expected answer, not a bug: warn, not error.
  const level: Level = statusCode === 503 ? 'warn' : statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    reqId: req.id,
    req: {
      method: req.method,
      url: res.locals.loggedUrl ?? req.originalUrl,
      host: req.headers.host,
    },
    res: { statusCode },
    responseTime,
  };
  if (statusCode >= 500) {
    logger[level](
      { ...line, err: new Error(`failed with status code ${statusCode}`) },
      'request errored',
    );
  } else {
    logger[level](line, 'request completed');
  }
}
