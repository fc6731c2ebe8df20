// `npm run stack`: the docker-compose topology without Docker, on loopback: a redis-server, two app
// replicas and Debian's caddy with the compose Caddyfile, in the foreground until Ctrl-C or SIGTERM.
import { loadTenants } from '../src/tenants/load-tenants.ts';
import { DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { startStack } from '../harness/stack/start-stack.ts';

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  console.error(`${name} must be a port number, not "${process.env[name]}"`);
  process.exit(1);
};
const proxyPort = port('PROXY_PORT', 8080);
const tlsPort = port('PROXY_TLS_PORT', 8443);
const tenantsDir = process.env.TENANTS_DIR ?? DEMO_TENANTS_DIR;

const width = 'caddy'.length + 1;
const stack = await startStack({
  proxyPort,
  tlsPort,
  tenantsDir,
  log: (name, line) => console.log(`${name.padEnd(width)}| ${line}`),
  onUnexpectedExit: (name, how) => {
    console.error(`\n${name} exited on its own (${how}); stopping the stack.`);
    void shutdown(1);
  },
}).catch((err: unknown) => {
  console.error(`npm run stack: could not start: ${(err as Error).message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping: caddy, the app replicas, redis-server');
  await stack.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const tenants = await loadTenants(tenantsDir, process.env);
const both = (host: string) => `${stack.url(host)}  ${stack.httpsUrl(host)}`;
console.log(`
tenantry stack: caddy on 127.0.0.1:${stack.proxyPort} (HTTP) and :${stack.tlsPort} (HTTPS) -> ${stack.replicas
  .map((r) => `${r.name} (127.0.0.1:${r.port})`)
  .join(', ')} -> redis-server (${stack.redis.url})
  ${'landing page'.padEnd(16)} ${both('localhost')}
${tenants.flatMap((t) => t.hosts.map((h) => `  ${t.name.padEnd(16)} ${both(h)}`)).join('\n')}
HTTPS without a warning: trust Caddy's local root, ${stack.localRoot} (README).
Each response names its replica in X-Served-By and its request id in X-Request-Id, which caddy
logs to ${stack.accessLog} (resp_headers) and the replicas log as reqId. Ctrl-C stops everything.
`);
