import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../root.ts';

/** The nginx config compose mounts into the nginx image; the native stack renders the same file. */
export const PROXY_TEMPLATE = join(ROOT, 'deploy', 'nginx', 'tenantry.conf.template');

export interface ProxyVars {
  /** nginx `listen` argument: "80", "127.0.0.1:8080" */
  listen: string;
  /** host:port of each replica */
  upstreams: string[];
}

/**
 * Renders the template the way the nginx image's envsubst does for the variables it is given:
 * `${NAME}` is replaced, nginx's own `$host`-style variables are left alone. A `${TENANTRY_...}`
 * name without a value is an error here (envsubst would leave it, and nginx would then refuse it).
 */
export function renderProxyConfig(
  vars: ProxyVars,
  template = readFileSync(PROXY_TEMPLATE, 'utf8'),
) {
  const values: Record<string, string> = {
    TENANTRY_PROXY_LISTEN: vars.listen,
    TENANTRY_UPSTREAMS: vars.upstreams.map((u) => `server ${u};`).join(' '),
  };
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${PROXY_TEMPLATE}: no value for \${${name}}`);
    return value;
  });
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
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${include};
}
`;
}
