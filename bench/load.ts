/** The bench's load, and what it reads of the processes and of Redis around it. */
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { plainRequest } from '../harness/http-client.ts';
import { parseMetrics } from '../harness/metrics-text.ts';
import { commandCalls, redisCli } from '../harness/redis-cli.ts';
import type { ServerProcess } from '../harness/server-process.ts';
import type { Running } from './configs.ts';

/**
 * Keep-alive connections read the server's path as fast as answers come, for `durationSeconds` or
 * `amount` requests. Each request goes to the next client in turn across all connections, so no
 * two connections read the same session in step (autocannon's own request list would: it starts
 * every connection at its first entry). Throws when any answer is not a 200 (it would measure the
 * wrong thing), unless `tolerate`.
 */
export async function signedInReads(
  { server, path, clients }: Running,
  load: { connections: number; durationSeconds: number; amount?: number; tolerate?: boolean },
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
        path,
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
  // Connection errors and timeouts, and every answer other than 200.
  const errors = result.errors + (requests - (statuses['200'] ?? 0));
  if (errors > 0 && !load.tolerate) {
    throw new Error(`${path}: ${errors} errors; answers: ${JSON.stringify(statuses)}`);
  }
  return {
    requests,
    sent: result.requests.sent,
    requestsPerSecond: requests / result.duration,
    p99Ms: result.latency.p99,
    errors,
    statuses,
  };
}

export const resetCommandStats = (redisPort: number) => redisCli(redisPort, 'CONFIG', 'RESETSTAT');

/** Redis's calls of every command since the last reset, all told: the bench's own left out. */
export async function redisCommands(redisPort: number): Promise<Record<string, number>> {
  const all = commandCalls(await redisCli(redisPort, 'INFO', 'commandstats'));
  const { info, 'config|resetstat': reset, ...calls } = all;
  return calls;
}

/**
 * A server's /metrics (on its INTERNAL_PORT): how many series, how many values of `tenant`, and
 * the most it may hold: METRICS_TENANT_LABELS tenants by id, `other` for the rest, `none`.
 */
export async function metricsSeries(server: ServerProcess) {
  const port = Number(server.env.INTERNAL_PORT);
  const res = await plainRequest({ port, host: 'localhost', path: '/metrics' });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = parseMetrics(res.body);
  const tenants = new Set(samples.flatMap((s) => s.labels.tenant ?? []));
  const bound = loadConfig(server.env).metricsTenantLabels + 2;
  return { series: samples.length, tenantLabels: tenants.size, bound };
}
