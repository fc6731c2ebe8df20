import { hkdfSync } from 'node:crypto';

/**
 * Per-tenant signing keys: HKDF(secret, info = tenant id) for each secret of the rotation list,
 * in order (the first signs, all verify). A cookie signed for one tenant never verifies at another,
 * even though every tenant is configured from the one SESSION_SECRET.
 */
export function tenantSigningKeys(secrets: readonly string[], tenantId: string): string[] {
  return secrets.map((secret) =>
    Buffer.from(
      hkdfSync('sha256', secret, 'tenantry/session-cookie/v1', `tenant:${tenantId}`, 32),
    ).toString('base64url'),
  );
}
