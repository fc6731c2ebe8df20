import { Resolver } from 'node:dns/promises';

/** What a TXT lookup found: the token, or why not and whether that is an answer or a failure. */
export type TxtCheck =
  | { found: true }
  /** `definite`: the DNS answered without the token (not a time-out or a server failure). */
  | { found: false; definite: boolean; reason: string };

export type TxtLookup = (name: string, token: string) => Promise<TxtCheck>;

/** The whole lookup's bound, retries included: a verify answers well within a request's patience. */
export const DNS_TIMEOUT_MS = 2000;

/** Answers that say the record is not there (the name has no TXT, or does not exist at all). */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND']);
const TIMED_OUT = new Set(['ETIMEOUT', 'ECANCELLED']);

/**
 * Looks `name`'s TXT records up through `servers` (`address:port`; undefined: the system's
 * resolvers) and says whether one of them is `token`. Never throws: a time-out or a failing
 * server is a reason, which the caller shows (a verify stays pending; a re-check counts nothing).
 */
export function txtLookup(servers: string[] | undefined, timeoutMs = DNS_TIMEOUT_MS): TxtLookup {
  return async (name, token) => {
    // One resolver per lookup: cancel() ends every query of a resolver, not just this one.
    const resolver = new Resolver({ timeout: Math.ceil(timeoutMs / 2), tries: 2 });
    if (servers) resolver.setServers(servers);
    const deadline = setTimeout(() => resolver.cancel(), timeoutMs);
    try {
      // A long value arrives in chunks of at most 255 characters: one record is their join.
      const values = (await resolver.resolveTxt(name)).map((chunks) => chunks.join('').trim());
      if (values.includes(token)) return { found: true };
      return {
        found: false,
        definite: true,
        reason: `The TXT record at ${name} does not hold this domain’s value: publish the value shown, then verify again.`,
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (ABSENT.has(code)) {
        return {
          found: false,
          definite: true,
          reason: `No TXT record at ${name} yet: publish it, then verify again (a new record can take a while to reach every DNS server).`,
        };
      }
      const what = TIMED_OUT.has(code) ? 'timed out' : `failed (${code || 'no answer'})`;
      return {
        found: false,
        definite: false,
        reason: `The DNS lookup of ${name} ${what}: try again in a minute.`,
      };
    } finally {
      clearTimeout(deadline);
    }
  };
}
