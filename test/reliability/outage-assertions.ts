import { expect } from 'vitest';
import type { Sample } from '../../harness/load.ts';
import { alarmingLines, type ServerProcess } from '../../harness/server-process.ts';

/** The contract's bound: no request waits longer, and service is back this soon after Redis. */
export const BOUND_MS = 2000;

export interface Outage {
  /** performance.now() when Redis went away and when it was back (restarted or resumed). */
  downAt: number;
  backAt: number;
  /**
   * Service is back this soon after `backAt` (default BOUND_MS). Longer only where a client
   * library, not the app, sets the pace (node-redis's sentinel client, see sentinel-failover).
   */
  recoveryMs?: number;
}

/**
 * What a user sees around an outage: every answer within 2 s, every failure a 503 with
 * Retry-After (JSON, as asked), nothing failed before Redis went away, success again within 2 s
 * of its return and from then on, and a server that stayed up with nothing unhandled logged.
 */
export function expectGracefulOutage(
  label: string,
  server: ServerProcess,
  samples: Sample[],
  { downAt, backAt, recoveryMs = BOUND_MS }: Outage,
) {
  const maxMs = Math.max(...samples.map((s) => s.ms));
  const failures = samples.filter((s) => s.status !== 200);
  const firstOk = samples
    .filter((s) => s.status === 200 && s.startedAt >= backAt)
    .map((s) => s.startedAt + s.ms - backAt)
    .sort((a, b) => a - b)[0];
  const lastFailure = Math.max(...failures.map((s) => s.startedAt + s.ms - backAt));
  const outageMax = Math.max(
    ...samples.filter((s) => s.startedAt >= downAt - 100 && s.startedAt < backAt).map((s) => s.ms),
  );
  console.log(
    `${label}: ${samples.length} requests, ${failures.length} failed (all 503?), ` +
      `max latency ${maxMs.toFixed(0)} ms (during the outage ${outageMax.toFixed(0)} ms), ` +
      `first success ${firstOk?.toFixed(0)} ms after Redis was back, ` +
      `last failure ended ${lastFailure.toFixed(0)} ms after`,
  );

  expect(samples.length).toBeGreaterThan(100);
  expect(samples.filter((s) => s.error)).toEqual([]);
  expect(samples.filter((s) => s.ms >= BOUND_MS)).toEqual([]);
  for (const s of failures) {
    expect(s).toMatchObject({ status: 503, retryAfter: '2' });
    expect(s.contentType).toMatch(/^application\/json/);
  }
  expect(failures.length).toBeGreaterThan(0);
  expect(failures.filter((s) => s.startedAt + s.ms < downAt)).toEqual([]);
  expect(firstOk).toBeDefined();
  expect(firstOk!).toBeLessThan(recoveryMs);
  expect(failures.filter((s) => s.startedAt >= backAt + recoveryMs)).toEqual([]);

  expect(server.exit()).toBeUndefined();
  expect(alarmingLines(server)).toEqual([]);
  // Logged once per change of state, not once per failed command or reconnect attempt.
  const down = server.logs().filter((line) => line.msg?.startsWith('redis unavailable'));
  expect(down.length).toBeGreaterThanOrEqual(1);
  expect(down.length).toBeLessThanOrEqual(2);
}
