import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandWorks } from '../launch.ts';
import { ROOT } from '../root.ts';

/** The one Caddyfile: compose mounts it, the native stack and the edge tests run it. */
export const CADDYFILE = join(ROOT, 'deploy', 'caddy', 'Caddyfile');

/** The caddy binary: CADDY_PATH, else `caddy` on PATH (Debian: apt-get install caddy). */
export const caddyBinary = (): string => process.env.CADDY_PATH ?? 'caddy';

export function missingCaddy(): string[] {
  return commandWorks(caddyBinary(), ['version'])
    ? []
    : ['caddy (Debian/Ubuntu: apt-get install caddy; or set CADDY_PATH)'];
}

export interface NativeCaddy {
  httpPort: number;
  tlsPort: number;
  /** host:port of each replica's main port. */
  upstreams: readonly string[];
  /** host:port of a replica's INTERNAL_PORT, which `ask` is sent to. */
  internal: string;
  /** Caddy's data (certificates, its local CA) and config go under this directory. */
  dir: string;
  /** An ACME server instead of Let's Encrypt (pebble), and the PEM file of its HTTPS root. */
  acme?: { directory: string; root: string };
}

/**
 * The environment that points the Caddyfile at processes on loopback (it defaults to compose's
 * names): its ports, the replicas by port, its files under `dir`, no admin API (several run at once).
 */
export function nativeCaddyEnv(caddy: NativeCaddy): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: caddy.dir,
    XDG_DATA_HOME: join(caddy.dir, 'data'),
    XDG_CONFIG_HOME: join(caddy.dir, 'config'),
    PROXY_PORT: String(caddy.httpPort),
    PROXY_TLS_PORT: String(caddy.tlsPort),
    UPSTREAMS: 'list',
    APP_UPSTREAMS: caddy.upstreams.join(' '),
    APP_INTERNAL: caddy.internal,
    ACCESS_LOG: `file ${accessLogOf(caddy.dir)}`,
    CADDY_ADMIN: 'off',
    ...(caddy.acme && {
      ACME_CA: caddy.acme.directory,
      ACME_CA_ROOT_FROM: 'file',
      ACME_CA_ROOT: caddy.acme.root,
    }),
  };
}

/** Caddy's access log (JSON, a line per request) of a native run in `dir`. */
export const accessLogOf = (dir: string) => join(dir, 'access.log');

/** The root of Caddy's local CA, which signs the *.localhost certificates, in a native run's `dir`. */
export const localRootOf = (dir: string) =>
  join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');

/** One line of Caddy's access log, as far as the tests read it. */
export interface AccessLogEntry {
  status: number;
  request: { host: string; method: string; uri: string; headers: Record<string, string[]> };
  resp_headers: Record<string, string[]>;
}

/** The entries of an access log so far (none while the file does not exist yet). */
export function accessLogEntries(path: string): AccessLogEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AccessLogEntry);
}

/** The X-Request-Id Caddy answered with, and logged, for one entry. */
export const requestIdOf = (entry: AccessLogEntry) => entry.resp_headers['X-Request-Id']?.[0];
