import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Opaque handles for sessions shown to people and scripts: the session id is a bearer secret, so
 * a page or an API answer never carries it. A handle is an HMAC of (tenant id, session id) under a
 * key derived from the signing secret: stable for a session, meaningless anywhere else, and
 * useless to anyone who sees it. 22 base64url characters: 132 bits.
 */
export function sessionHandles(secret: string): (tenantId: string, sid: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'tenantry/session-handle/v1', '', 32));
  return (tenantId, sid) =>
    createHmac('sha256', key).update(`${tenantId}\n${sid}`).digest('base64url').slice(0, 22);
}
