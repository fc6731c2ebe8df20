import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Opaque handles for sessions shown on pages and in the API, since the session id is a bearer
 * secret: an HMAC of (tenant id, session id), stable for a session and useless anywhere else.
 */
export function sessionHandles(secret: string): (tenantId: string, sid: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'tenantry/session-handle/v1', '', 32));
  return (tenantId, sid) =>
    createHmac('sha256', key).update(`${tenantId}\n${sid}`).digest('base64url').slice(0, 22);
}
