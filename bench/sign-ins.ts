import { availableParallelism } from 'node:os';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import type { Backends } from '../harness/backends.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { signIn } from '../harness/sign-in.ts';
import { startTenantry } from './configs.ts';

export interface SignIns {
  /** Password checks per second at the default cost, `parallel` at once, in the bench's process. */
  scryptPerSecond: number;
  /** Sign-ins per second through POST /login at the three demo tenants, `parallel` × 2 at once. */
  signInsPerSecond: number;
  parallel: number;
}

/** Runs `work` on `parallel` loops for `seconds`; how many times it finished, per second. */
async function perSecond(parallel: number, seconds: number, work: (i: number) => Promise<unknown>) {
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async (_, loop) => {
      while (performance.now() - started < seconds * 1000) await work(loop + parallel * done++);
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

/**
 * Sign-ins per second against the machine's scrypt limit: first as many password checks at the
 * default cost as there are cores, then the demo users signing in at their tenants with twice as
 * many at once (each a POST /login: a password check and a new session), on a fresh (4).
 */
export async function measureSignIns(backends: Backends, seconds: number): Promise<SignIns> {
  const parallel = availableParallelism();
  const hash = await hashPassword(DEMO.a.password);
  const scryptPerSecond = await perSecond(parallel, seconds, () =>
    verifyPassword(DEMO.a.password, hash),
  );
  const server = await startTenantry(backends, DEMO_TENANTS_DIR, {
    probeHost: DEMO.c.host,
    // The bench's one address signs in far past the default limit on successes.
    env: { LOGIN_MAX_SUCCESSES: '100000' },
  });
  try {
    const people = [DEMO.a, DEMO.b, DEMO.c];
    const signInsPerSecond = await perSecond(parallel * 2, seconds, (i) =>
      signIn(server.port, people[i % people.length]!),
    );
    return { scryptPerSecond, signInsPerSecond, parallel };
  } finally {
    await server.stop();
  }
}
