import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../root.ts';

/** The nginx config compose mounts into the nginx image; the native stack renders the same file. */
export const PROXY_TEMPLATE = join(ROOT, 'deploy', 'nginx', 'tenantry.conf.template');

export type ProxyVars = {
  /** nginx `listen` argument: "80", "127.0.0.1:8080" */
  listen: string;
  /** nginx `access_log` path (a file: /dev/stderr cannot be opened when stderr is a socket). */
  accessLog: string;
} & (
  | {
      /** Natively: host:port of each replica. */
      upstreams: readonly string[];
    }
  | {
      /** As docker-compose.yml sets them: a name the resolver answers with every replica. */
      app: string;
      resolver: string;
    }
);

/**
 * Renders the template the way the nginx image's envsubst does for the variables it is given:
 * `${NAME}` is replaced, nginx's own `$host`-style variables are left alone. A `${TENANTRY_...}`
 * name without a value is an error here (envsubst would leave it, and nginx would then refuse it).
 */
export function renderProxyConfig(
  vars: ProxyVars,
  template = readFileSync(PROXY_TEMPLATE, 'utf8'),
) {
  const values: Record<string, string> =
    'upstreams' in vars
      ? {
          TENANTRY_PROXY_LISTEN: vars.listen,
          // Natively the replicas are ports on loopback, which no DNS name lists: an upstream group.
          TENANTRY_APP: 'tenantry_app',
          TENANTRY_RESOLVER: '',
          TENANTRY_UPSTREAM_GROUP: upstreamGroup(vars.upstreams),
          TENANTRY_ACCESS_LOG: vars.accessLog,
        }
      : {
          TENANTRY_PROXY_LISTEN: vars.listen,
          TENANTRY_APP: vars.app,
          TENANTRY_RESOLVER: `resolver ${vars.resolver} valid=5s ipv6=off;`,
          TENANTRY_UPSTREAM_GROUP: '',
          TENANTRY_ACCESS_LOG: vars.accessLog,
        };
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${PROXY_TEMPLATE}: no value for \${${name}}`);
    return value;
  });
}

/**
 * The native stack's replicas as an upstream group, with a pool of idle connections kept open
 * (keepalive) for nginx to reuse. Its keepalive_timeout is shorter than the app's own keep-alive
 * timeout (65 s, src/server.ts), so nginx always closes an idle connection first and never sends a
 * request on one the app is closing.
 */
function upstreamGroup(upstreams: readonly string[]): string {
  const servers = upstreams.map((u) => `server ${u};`).join(' ');
  return `upstream tenantry_app { ${servers} keepalive 16; keepalive_timeout 60s; }`;
}

/**
 * The main nginx.conf of a native run: what the nginx image provides around conf.d/ (events, the
 * http block), with every path inside `dir` so it runs unprivileged and beside other nginx.
 */
export function nativeMainConfig(dir: string, include: string): string {
  return `# Written by test/support/stack/proxy-config.ts for one native run; deleted when it stops.
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;

events {
    worker_connections 256;
}

http {
    # The site (the template) sets its own access_log, with request ids, into this directory.
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${include};
}
`;
}
