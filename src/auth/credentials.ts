import { createHmac, hkdfSync } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Tenant } from '../tenants/tenant.ts';
import type { DirectoryUser } from './user-directory.ts';

/** Users whose fingerprints stay computed; a miss costs one HMAC per secret, so this only caps memory. */
const CACHED_USERS = 10_000;

/**
 * What a session was issued against: a fingerprint of the user's password hash, kept in the
 * session (`credential`) and compared on every signed-in request, so a password change ends every
 * older session on every replica, with no Redis command of its own (Django's approach). Keyed
 * (HMAC under a key derived from SESSION_SECRET) so the session never holds the hash or anything a
 * Redis reader could test guesses against. The first secret issues, every secret of the rotation
 * list verifies, so rotating SESSION_SECRET signs nobody out.
 */
export function credentialFingerprints(secrets: readonly string[]) {
  const keys = secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'tenantry/credential-fingerprint/v1', '', 32)),
  );
  // By tenant and username, for the users most recently seen, so a signed-in request costs a map
  // lookup, not an HMAC. An entry counts only for the very hash it was computed from (what the
  // fingerprint covers), so a changed password is never matched against a stale print.
  const cache = new LRUCache<string, { passwordHash: string; prints: string[] }>({
    max: CACHED_USERS,
  });
  const printsOf = (tenant: Tenant, user: DirectoryUser) => {
    const id = `${tenant.id}\n${user.username}`;
    let entry = cache.get(id);
    if (entry?.passwordHash !== user.passwordHash) {
      const data = `${id}\n${user.passwordHash}`;
      const prints = keys.map((key) => createHmac('sha256', key).update(data).digest('base64url'));
      entry = { passwordHash: user.passwordHash, prints };
      cache.set(id, entry);
    }
    return entry.prints;
  };
  return {
    /** The fingerprint a new session carries. */
    issue: (tenant: Tenant, user: DirectoryUser): string => printsOf(tenant, user)[0]!,
    /** Whether a session's fingerprint is this user's current one. */
    matches: (tenant: Tenant, user: DirectoryUser, stored: string | undefined): boolean =>
      stored !== undefined && printsOf(tenant, user).includes(stored),
    /**
     * For a session's fingerprint that matches: the one it should carry from now on (the first
     * secret's, where it was verified under an older one); undefined when it does not match. One
     * lookup for what a signed-in request needs, where `matches` and then `issue` take two.
     */
    renewed: (tenant: Tenant, user: DirectoryUser, stored: string | undefined) => {
      if (stored === undefined) return undefined;
      const prints = printsOf(tenant, user);
      return prints.includes(stored) ? prints[0] : undefined;
    },
  };
}

export type CredentialFingerprints = ReturnType<typeof credentialFingerprints>;
