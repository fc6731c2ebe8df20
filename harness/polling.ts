export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Thrown by a check to stop polling at once: what is waited for can no longer happen (the process
 * that should answer has exited), so waiting out the timeout would only hide the reason.
 */
export class GiveUp extends Error {}

/**
 * Polls until `check` resolves and returns its value. A check fails by throwing (an `expect`
 * works); attempts start until `timeoutMs` has passed, the last one at the deadline at the
 * latest, and then the last failure is rethrown. Measured on the monotonic clock.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 20_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      const left = deadline - performance.now();
      if (err instanceof GiveUp || left <= 0) throw err;
      await sleep(Math.min(intervalMs, left));
    }
  }
}
