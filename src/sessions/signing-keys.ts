import { hkdfSync } from 'node:crypto';

/**
 * Per-tenant keys, HKDF(secret, tenant id) for each secret in rotation order (the first signs, all
 * verify), so a cookie signed for one tenant never verifies at another.
 */
export function tenantSigningKeys(secrets: readonly string[], tenantId: string): string[] {
  return secrets.map((secret) =>
    Buffer.from(
      hkdfSync('sha256', secret, 'tenantry/session-cookie/v1', `tenant:${tenantId}`, 32),
    ).toString('base64url'),
  );
}
