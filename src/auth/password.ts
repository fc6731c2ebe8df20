import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * OWASP's scrypt guidance. Each hash stores its cost (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`), so
 * the cost can be raised later without breaking existing hashes.
 */
const DEFAULTS = { logN: 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

/** A new password (set, changed, reset, user:add): long enough to resist guessing, bounded work. */
export const NEW_PASSWORD = { min: 10, max: 200 };

export function newPasswordProblem(password: string): string | undefined {
  if (password.length < NEW_PASSWORD.min) {
    return `A password needs at least ${NEW_PASSWORD.min} characters.`;
  }
  if (password.length > NEW_PASSWORD.max) {
    return `A password is at most ${NEW_PASSWORD.max} characters.`;
  }
  return undefined;
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number) {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 2 ** 20 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = DEFAULTS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost.logN, cost.r, cost.p);
  return [
    'scrypt',
    cost.logN,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** Constant-time check; a malformed hash is simply a mismatch. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const [n, rr, pp] = [Number(logN), Number(r), Number(p)];
  if (![n, rr, pp].every((v) => Number.isInteger(v) && v > 0) || n > 20 || rr > 32 || pp > 16) {
    return false;
  }
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), n, rr, pp);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Checked for an unknown username, so it costs what a wrong password costs and reveals nothing. */
export const UNKNOWN_USER_HASH = await hashPassword(randomBytes(16).toString('hex'));
