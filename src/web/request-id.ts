import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What an id taken from a proxy may look like: short, and safe in a header and a log line. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Express's compiled `trust proxy` function (`app.get('trust proxy fn')`). */
export type TrustFn = (address: string | undefined, hop: number) => boolean;

/**
 * An incoming X-Request-Id is kept only when well-formed and from a proxy TRUST_PROXY names, so a
 * request can be followed through its log; anyone else could forge ids into our logs.
 */
export function requestIdGenerator(trusted: TrustFn) {
  return (req: IncomingMessage, res: ServerResponse): string => {
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' &&
      REQUEST_ID_PATTERN.test(incoming) &&
      trusted(req.socket.remoteAddress, 0)
        ? incoming
        : randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  };
}
