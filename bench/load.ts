import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { plainRequest } from '../harness/http-client.ts';
import { parseMetrics } from '../harness/metrics-text.ts';
import type { ServerProcess } from '../harness/server-process.ts';
import { infoFields, redisCli } from '../harness/redis-cli.ts';
import type { Running } from './configs.ts';

/** One signed-in client of a server under test: its Host and its session cookie (if any). */
export type Client = { host: string; cookie?: string };

/** A load's outcome; `sent` counts the requests still in flight at the end too. */
export type Measured = Awaited<ReturnType<typeof signedInReads>>;

/**
 * Keep-alive connections read `path` (GET /api/me) as fast as answers come, for `durationSeconds`
 * or `amount` requests. Each request goes to the next client in turn across all connections, so no
 * two connections read the same session in step (autocannon's own request list would: it starts
 * every connection at its first entry).
 */
export async function signedInReads(
  { server, clients }: Running,
  load: { connections: number; durationSeconds: number; amount?: number; path?: string },
) {
  let turn = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: load.connections,
    duration: load.durationSeconds,
    amount: load.amount,
    requests: [
      {
        method: 'GET',
        path: load.path ?? '/api/me',
        setupRequest: (request) => {
          const { host, cookie } = clients[turn++ % clients.length]!;
          return { ...request, headers: { host, ...(cookie ? { cookie } : {}) } };
        },
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, s]) => [status, s.count ?? 0]),
  );
  const requests = result.requests.total;
  return {
    requests,
    sent: result.requests.sent,
    requestsPerSecond: requests / result.duration,
    p99Ms: result.latency.p99,
    // Connection errors and timeouts, and every answer other than 200.
    errors: result.errors + (requests - (statuses['200'] ?? 0)),
    statuses,
  };
}

/** `measured`, or an error when any answer was not a 200: it would measure the wrong thing. */
export function allAnswered(label: string, measured: Measured): Measured {
  if (measured.errors === 0) return measured;
  const answers = JSON.stringify(measured.statuses);
  throw new Error(`${label}: ${measured.errors} errors; answers: ${answers}`);
}

export const resetCommandStats = (redisPort: number) => redisCli(redisPort, 'CONFIG', 'RESETSTAT');

/** Redis's calls of each command since the last reset, the bench's own (that and INFO) left out. */
export async function commandStats(redisPort: number): Promise<Record<string, number>> {
  const fields = infoFields(await redisCli(redisPort, 'INFO', 'commandstats'));
  const calls: Record<string, number> = {};
  for (const [field, value] of fields) {
    const command = field.replace(/^cmdstat_/, '');
    const count = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
    if (command !== 'config|resetstat' && command !== 'info' && count > 0) calls[command] = count;
  }
  return calls;
}

/** CPU time (user + system) of the processes so far, in µs; one that has gone counts nothing. */
export function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10_000;
}

/** Resident set size of a process now (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

/** A server's /metrics (on its INTERNAL_PORT): how many series, how many values of `tenant`. */
export async function metricsSeries(server: ServerProcess) {
  const port = Number(server.env.INTERNAL_PORT);
  const res = await plainRequest({ port, host: 'localhost', path: '/metrics' });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = parseMetrics(res.body);
  const tenants = new Set(samples.flatMap((s) => s.labels.tenant ?? []));
  return { series: samples.length, tenantLabels: tenants.size };
}
