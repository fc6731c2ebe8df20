import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { plainRequest } from './http-client.ts';
import { launch, untilReady } from './launch.ts';

/** A real Prometheus (Debian's `prometheus`) owned by one test, on a free loopback port. */
export interface Prometheus {
  port: number;
  /** An instant PromQL query through the HTTP API: each series' labels and value. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus scraping `targets` (`host:port` of /metrics) as job `job` every second, with
 * its data in a fresh temporary directory; resolves once it reports itself ready.
 */
export async function startPrometheus(job: string, targets: string[]): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms' },
    scrape_configs: [{ job_name: job, static_configs: [{ targets }] }],
  };
  // JSON is YAML: no YAML library needed.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const output: string[] = [];
  const server = launch(
    'prometheus',
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { log: (_name, line) => output.push(line) },
  );
  const stop = async () => {
    await server.stop('SIGTERM', 10_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilReady(
      server,
      async () => {
        const res = await plainRequest({ port, path: '/-/ready', timeoutMs: 1000 });
        if (res.status !== 200) throw new Error(`/-/ready answered ${res.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.join('\n')}`, { cause: err });
  }
  return {
    port,
    async query(promql) {
      const path = `/api/v1/query?query=${encodeURIComponent(promql)}`;
      const res = await plainRequest({ port, path });
      const body = JSON.parse(res.body) as {
        status: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (res.status !== 200 || body.status !== 'success') {
        throw new Error(`${promql}: ${res.status} ${res.body}`);
      }
      return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    stop,
  };
}
