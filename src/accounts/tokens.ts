import { createHash, randomBytes } from 'node:crypto';

/**
 * A single-use token for a link (invitation, password reset): 256 random bits. Only its sha-256
 * is stored, so a read of the table (a backup, a leaked runtime password) yields no usable link;
 * a fast hash is enough for a secret this long.
 */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');
