import type { TimedResponse } from '../../harness/http-client.ts';

/** The contract's bound: no request waits longer, and a 503 is fine only this long after Redis. */
export const BOUND_MS = 2000;

/**
 * The soak's counts: every answer by kind and latency, and what breaks the contract (an
 * unexpected status or no answer, a wait of 2 s or more, a 503 outside an outage).
 */
export function createTally() {
  const kinds = new Map<string, number>();
  const latencies: number[] = [];
  const slowest = new Map<string, number>();
  const outages: { from: number; to: number }[] = [];
  const broken = { unexpected: 0, slow: 0, strayUnavailable: 0 };
  const inOutage = (at: number) => outages.some((o) => at >= o.from && at <= o.to + BOUND_MS);

  function record(action: string, startedAt: number, answer: TimedResponse, expected: number[]) {
    latencies.push(answer.ms);
    slowest.set(action, Math.max(slowest.get(action) ?? 0, answer.ms));
    if (answer.ms >= BOUND_MS) broken.slow++;
    const kind =
      answer.status === 0 ? `${action} no answer (${answer.error})` : `${action} ${answer.status}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (answer.status === 503) {
      if (action !== 'readyz' && answer.headers['retry-after'] !== '2') broken.unexpected++;
      if (!inOutage(startedAt) && !inOutage(startedAt + answer.ms)) broken.strayUnavailable++;
    } else if (!expected.includes(answer.status)) {
      broken.unexpected++;
    }
  }

  /** Requests, outcomes by kind and latency percentiles, as printed at the end. */
  function report(seconds: number, outageMs: number): string {
    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
    const total = sorted.length;
    const byKind = [...kinds].sort(([a], [b]) => a.localeCompare(b));
    const failed = byKind.filter(([kind]) => !/ (200|303)$/.test(kind));
    const { unexpected, slow, strayUnavailable } = broken;
    return `requests: ${total} in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)}/s), ${outages.length} Redis outages of ${outageMs / 1000} s
by kind:
${byKind.map(([kind, n]) => `  ${kind}: ${n}`).join('\n')}
errors by kind: ${failed.length ? failed.map(([kind, n]) => `${kind}: ${n}`).join(', ') : 'none'}
  unexpected statuses or no answer: ${unexpected}, 503 outside an outage: ${strayUnavailable}, slower than ${BOUND_MS} ms: ${slow}
latency: p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms (${[...slowest].map(([action, ms]) => `${action} ${ms.toFixed(0)}`).join(', ')})`;
  }

  return { record, report, outages, broken };
}
