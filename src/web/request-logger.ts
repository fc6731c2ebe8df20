import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdGenerator, type TrustFn } from './request-id.ts';

export interface RequestLoggerOptions {
  logger: Logger;
  /** Express's compiled `trust proxy` function: only a trusted proxy's request id is kept. */
  trust: TrustFn;
  /** A line per request; off in tests. */
  autoLogging: boolean;
}

/**
 * pino-http: a line per request, and `req.log` for routes. Every response carries X-Request-Id; a
 * trusted proxy's own id is kept, so one request can be followed from the proxy's log to ours.
 * Each log line of the request has it as reqId.
 */
export function requestLogger({
  logger,
  trust,
  autoLogging,
}: RequestLoggerOptions): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestIdGenerator(trust),
    quietReqLogger: true,
    autoLogging,
    // A 503 while Redis is away is an expected answer, not a bug: warn, not error.
    customLogLevel: (_req, res, err) =>
      res.statusCode === 503 ? 'warn' : res.statusCode >= 500 || err ? 'error' : 'info',
    serializers: {
      req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
        method: req.method,
        url: req.url,
        host: req.headers.host,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
