import type { ServerResponse } from 'node:http';
import type { Response } from 'express';

/**
 * Runs `hook` on each response of an app just before its headers are written, from the app's
 * response prototype (`app.response`), so nothing is installed per response. It runs after the
 * hooks that middlewares put on a response itself (express-session sets its cookie from one):
 * those wrap the response's own writeHead and call on down to this one.
 */
export function beforeHeaders(response: Response, hook: (res: ServerResponse) => void): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each response below
  const writeHead = response.writeHead as (this: ServerResponse, ...args: unknown[]) => unknown;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    hook(this);
    return writeHead.apply(this, args);
  } as Response['writeHead'];
}
