import type { Request } from 'express';

/**
 * `lastSeenAt` is rewritten only once it is this old, so a signed-in request costs no write of its
 * own. Each rewrite saves the session and so re-sends the cookie (cookieLifetimeMs).
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** Longer User-Agent headers are cut: the session list needs the start of it, not 16 KiB. */
export const USER_AGENT_MAX_CHARS = 256;

export function stampSignIn(req: Request, now: number, absoluteSeconds: number): void {
  req.session.createdAt = now;
  req.session.endsAt = now + absoluteSeconds * 1000;
  recordRequest(req, now);
}

export function noteActivity(req: Request, now = Date.now()): void {
  const seen = req.session.lastSeenAt;
  if (seen === undefined || now - seen >= LAST_SEEN_RESOLUTION_MS) recordRequest(req, now);
}

/** Records this request now, whatever the resolution: the session is saved and its cookie sent. */
export function renewCookie(req: Request): void {
  recordRequest(req, Date.now());
}

function recordRequest(req: Request, now: number): void {
  req.session.lastSeenAt = now;
  req.session.userAgent = (req.get('user-agent') ?? '').slice(0, USER_AGENT_MAX_CHARS);
  // req.ip honours X-Forwarded-For only from proxies named in TRUST_PROXY.
  req.session.ip = req.ip ?? '';
}
