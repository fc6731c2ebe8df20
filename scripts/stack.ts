// `npm run stack`: the docker-compose topology without Docker, on loopback: a redis-server, two app
// replicas and nginx with the compose proxy config, in the foreground until Ctrl-C or SIGTERM.
import { loadTenants } from '../src/tenants/load-tenants.ts';
import { DEMO_TENANTS_DIR } from '../test/support/demo.ts';
import { startStack } from '../test/support/stack/start-stack.ts';

const proxyPort = Number(process.env.PROXY_PORT ?? 8080);
if (!Number.isInteger(proxyPort) || proxyPort < 1 || proxyPort > 65535) {
  console.error(`PROXY_PORT must be a port number, not "${process.env.PROXY_PORT}"`);
  process.exit(1);
}
const tenantsDir = process.env.TENANTS_DIR ?? DEMO_TENANTS_DIR;

const width = 'nginx'.length + 1;
const stack = await startStack({
  proxyPort,
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
  console.log('\nstopping: nginx, the app replicas, redis-server');
  await stack.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const tenants = await loadTenants(tenantsDir, process.env);
console.log(`
tenantry stack: nginx on 127.0.0.1:${stack.proxyPort} -> ${stack.replicas
  .map((r) => `${r.name} (127.0.0.1:${r.port})`)
  .join(', ')} -> redis-server (${stack.redis.url})
${tenants.flatMap((t) => t.hosts.map((h) => `  ${t.name.padEnd(16)} ${stack.url(h)}`)).join('\n')}
Each response names its replica in X-Served-By. Ctrl-C stops everything.
`);
