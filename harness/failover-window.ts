import type { Sample } from './load.ts';

/**
 * The failover window as users saw it: how many clients got a failure after `downAt`, and when the
 * last of them was served again (ms after `downAt`, at the end of its first success after its last
 * failure).
 */
export function recoveryWindow(samples: Sample[], downAt: number) {
  const byClient = new Map<number, Sample[]>();
  for (const s of samples) byClient.set(s.client, [...(byClient.get(s.client) ?? []), s]);
  let affected = 0;
  let lastRecoveredMs = 0;
  for (const own of byClient.values()) {
    const failures = own.filter((s) => s.status !== 200 && s.startedAt >= downAt - 100);
    if (failures.length === 0) continue;
    affected++;
    const lastFailure = failures.at(-1)!;
    const recovered = own.find((s) => s.status === 200 && s.startedAt > lastFailure.startedAt);
    const end = recovered ? recovered.startedAt + recovered.ms : Infinity;
    lastRecoveredMs = Math.max(lastRecoveredMs, end - downAt);
  }
  return { affected, lastRecoveredMs };
}

/**
 * The failover window (recoveryWindow), printed for whoever reads the run as `<what> <ms> ms
 * after the kill; …` (`what`: what had happened by `backAt`), and returned for the assertions.
 */
export function logRecoveryWindow(
  what: string,
  samples: Sample[],
  { downAt, backAt, clients }: { downAt: number; backAt: number; clients: number },
) {
  const window = recoveryWindow(samples, downAt);
  console.log(
    `${what} ${(backAt - downAt).toFixed(0)} ms after the kill; ` +
      `${window.affected} of ${clients} clients saw 503s, the last served again ` +
      `${window.lastRecoveredMs.toFixed(0)} ms after the kill`,
  );
  return window;
}
