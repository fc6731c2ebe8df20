import { availableParallelism } from 'node:os';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { HostPort } from './store/store.ts';
import { normalizeHost } from './tenants/host.ts';

/** Signs sessions outside production only; production refuses to start with it. */
export const DEV_SESSION_SECRET = 'tenantry-development-secret-do-not-use-in-production';

const MIN_SECRET_BYTES = 32;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `TRUST_PROXY` as Express takes it: false, a hop count, or a list of addresses / CIDRs / names. */
export type TrustProxy = false | number | string[];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const blankAsUnset = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Shorthand IPv4 such as `127.1` is refused here, since proxy-addr would refuse it at start-up. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  if (!entry.includes('/')) {
    return ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry);
  }
  return ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || ipaddr.IPv6.isValidCIDR(entry);
}

/** `host:port,host:port,…`: a host name or IPv4 address (or an IPv6 one in brackets), and a port 1-65535. */
const hostPortList = z.string().transform((raw, ctx): HostPort[] => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const parsed = entries.map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(entry);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    const ok =
      host !== undefined &&
      port >= 1 &&
      port <= 65535 &&
      (!match?.[1] || ipaddr.IPv6.isValid(host));
    return ok ? { host, port } : entry;
  });
  const bad = parsed.filter((p): p is string => typeof p === 'string');
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be host:port entries separated by commas (port 1-65535)${bad.length > 0 ? `; not one: ${bad.join(', ')}` : ''}`,
    });
    return z.NEVER;
  }
  return parsed as HostPort[];
});

/**
 * DNS_SERVERS: comma-separated `address[:port]` (an IPv6 address in brackets), as Node's resolver
 * takes them; port 53 when left out. Addresses only: a resolver's own name would need a resolver.
 */
const dnsServers = z.string().transform((raw, ctx): string[] => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const parsed = entries.map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(entry);
    const [v6, v4, port = '53'] = [match?.[1], match?.[2], match?.[3]];
    const ok =
      (v6 !== undefined ? ipaddr.IPv6.isValid(v6) : ipaddr.IPv4.isValidFourPartDecimal(v4 ?? '')) &&
      Number(port) >= 1 &&
      Number(port) <= 65535;
    if (!ok) return undefined;
    return v6 !== undefined ? `[${v6}]:${port}` : `${v4}:${port}`;
  });
  const bad = entries.filter((_, i) => parsed[i] === undefined);
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be IP addresses with an optional port (1.1.1.1:53, [2606:4700::1111]:53), separated by commas${bad.length > 0 ? `; not one: ${bad.join(', ')}` : ''}`,
    });
    return z.NEVER;
  }
  return parsed as string[];
});

/** The variables that each name a default store; exactly one may be set. */
const DEFAULT_STORE_VARIABLES = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

/** A /0 trusts every address, as "true" does; Express itself refuses one, with a crash at start. */
const trustsEveryAddress = (entry: string) =>
  entry.includes('/') && ipaddr.parseCIDR(entry)[1] === 0;

const trustProxy = z
  .string()
  .transform((raw, ctx): TrustProxy => {
    const value = raw.trim();
    if (value === '' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'must not be "true": that trusts X-Forwarded-* from any client. Name the proxy (an address, a CIDR such as 172.16.0.0/12, "loopback") or a hop count',
      });
      return z.NEVER;
    }
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyEntry(entry));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has entries that are not an IP address, a CIDR or loopback/linklocal/uniquelocal: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    const everyone = entries.filter(trustsEveryAddress);
    if (everyone.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has entries that trust every address (a /0), as "true" would: ${everyone.join(', ')}. Name the proxy's own network`,
      });
      return z.NEVER;
    }
    return entries;
  })
  .default(false);

/** CENTRAL_HOSTS: comma-separated host names, normalised as tenant hosts are. */
const centralHosts = z
  .string()
  .transform((raw, ctx): string[] => {
    const entries = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = entries.filter((entry) => normalizeHost(entry) === undefined);
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'names no host; leave it unset for "localhost"' });
      return z.NEVER;
    }
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has entries that are not host names: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(entries.map((entry) => normalizeHost(entry)!))];
  })
  .default(['localhost']);

/** A PostgreSQL connection URL, as pg takes it. */
const postgresUrl = z.preprocess(
  blankAsUnset,
  z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
);

/** A sender: `address@host` or `Name <address@host>`, on one line. */
const MAIL_FROM = /^(?:[^<>\r\n"]{0,100}<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;
const DEV_MAIL_FROM = 'tenantry <no-reply@localhost>';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3000),
    // The proxy's and operators' listener (/tls/ask, /metrics): never published. 0 picks a free port.
    INTERNAL_PORT: int(0, 65535).default(3001),
    // Unset: every interface (what a container needs); 127.0.0.1 keeps a local process private.
    HOST: z.preprocess(blankAsUnset, z.string().max(255).optional()),
    REDIS_URL: z.preprocess(
      blankAsUnset,
      z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    ),
    REDIS_CLUSTER_NODES: z.preprocess(blankAsUnset, hostPortList.optional()),
    REDIS_SENTINELS: z.preprocess(blankAsUnset, hostPortList.optional()),
    REDIS_SENTINEL_MASTER: z.preprocess(
      blankAsUnset,
      z
        .string()
        .regex(
          /^[A-Za-z0-9._-]{1,64}$/,
          'must be the name the sentinels monitor (letters, digits, ".", "_", "-")',
        )
        .optional(),
    ),
    APP_NAME: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/,
        'must be a slug (a-z, 0-9, "-", "_"): it goes into every Redis key',
      )
      .default('app'),
    SESSION_SECRET: z.preprocess(blankAsUnset, z.string().optional()),
    SESSION_TTL_SECONDS: int(60, 31_536_000).default(3600),
    SESSION_ABSOLUTE_SECONDS: int(60, 31_536_000).default(86_400),
    // Always a limit: one account must not fill the store (a tenant file's `maxPerUser` overrides it).
    SESSION_MAX_PER_USER: int(1, 1000).default(50),
    SESSION_COOKIE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"')
      .default('sid'),
    TRUST_PROXY: trustProxy,
    TENANTS_DIR: z.string().min(1).default('./tenants'),
    DATABASE_URL: postgresUrl,
    DATABASE_MIGRATION_URL: postgresUrl,
    DATA_DIR: z.preprocess(blankAsUnset, z.string().default('./.data')),
    SMTP_URL: z.preprocess(
      blankAsUnset,
      z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    ),
    MAIL_FROM: z.preprocess(
      blankAsUnset,
      z
        .string()
        .regex(MAIL_FROM, 'must be an address, or a name and an address: Name <name@example.com>')
        .optional(),
    ),
    TENANT_CACHE_SIZE: z.preprocess(blankAsUnset, int(1, 1_000_000).default(1000)),
    CENTRAL_HOSTS: z.preprocess(blankAsUnset, centralHosts),
    LOGIN_MAX_FAILURES: int(1, 1000).default(5),
    LOGIN_MAX_FAILURES_PER_ADDRESS: int(1, 100_000).default(50),
    LOGIN_WINDOW_SECONDS: int(1, 86_400).default(900),
    LOGIN_MAX_SUCCESSES: int(1, 100_000).default(20),
    // Unset: the machine's cores (os.availableParallelism()).
    LOGIN_HASH_CONCURRENCY: z.preprocess(blankAsUnset, int(1, 1024).optional()),
    // Node's own: the size of libuv's thread pool, where password hashes run (see server.ts).
    UV_THREADPOOL_SIZE: int(1, 1024).default(4),
    // At most 1.5 s, so a request that needs a session is answered (503 at worst) within 2 s.
    REDIS_TIMEOUT_MS: int(50, 1500).default(1000),
    SHUTDOWN_TIMEOUT_MS: int(0, 60_000).default(8000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    // Unset: pretty when NODE_ENV=development and stdout is a terminal (server.ts decides), else JSON.
    LOG_FORMAT: z.preprocess(blankAsUnset, z.enum(['json', 'pretty']).optional()),
    REPLICA_NAME: z.preprocess(blankAsUnset, z.string().max(64).optional()),
    METRICS: z.preprocess(blankAsUnset, z.enum(['on', 'off']).default('on')),
    METRICS_TENANT_LABELS: z.preprocess(blankAsUnset, int(0, 10_000).default(100)),
    // Customers' own domains: where their TXT records are looked up (unset: the system's resolvers).
    DNS_SERVERS: z.preprocess(blankAsUnset, dnsServers.optional()),
    DOMAIN_RECHECK_SECONDS: z.preprocess(blankAsUnset, int(1, 2 ** 31 - 1).default(86_400)),
    DOMAIN_GRACE_SECONDS: z.preprocess(blankAsUnset, int(1, 2 ** 31 - 1).default(604_800)),
    DOMAINS_MAX_PER_TENANT: z.preprocess(blankAsUnset, int(0, 10_000).default(10)),
  })
  .superRefine((env, ctx) => {
    // Below that, a few users behind one address (an office, a NAT) failing their own limits
    // would close the address for everyone there: the address limit would act as a user limit.
    if (env.LOGIN_MAX_FAILURES_PER_ADDRESS < 4 * env.LOGIN_MAX_FAILURES) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOGIN_MAX_FAILURES_PER_ADDRESS'],
        message: `must be at least 4 × LOGIN_MAX_FAILURES (${4 * env.LOGIN_MAX_FAILURES}); it is ${env.LOGIN_MAX_FAILURES_PER_ADDRESS}`,
      });
    }
    const named = DEFAULT_STORE_VARIABLES.filter((name) => env[name] !== undefined);
    if (named.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [named[0]!],
        message: `and ${named.slice(1).join(' and ')} are set together: set exactly one of ${DEFAULT_STORE_VARIABLES.join(', ')} (each names the default store)`,
      });
    }
    if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_MASTER === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINEL_MASTER'],
        message: 'is required with REDIS_SENTINELS: the name the sentinels monitor the primary by',
      });
    }
    if (env.REDIS_SENTINELS === undefined && env.REDIS_SENTINEL_MASTER !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINEL_MASTER'],
        message: 'is set but REDIS_SENTINELS is not: list the sentinels (host:port,…) too',
      });
    }
    if (env.DATABASE_MIGRATION_URL !== undefined && env.DATABASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_MIGRATION_URL'],
        message:
          "is set but DATABASE_URL is not: set DATABASE_URL to the server's own role on the same database",
      });
    }
    if (env.INTERNAL_PORT !== 0 && env.INTERNAL_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_PORT'],
        message: `must differ from PORT (${env.PORT}): the internal routes are never served on the main port`,
      });
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.DATABASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required when NODE_ENV=production (the embedded PGlite is for development only); set it to postgres://<role>:<password>@<host>:5432/<database>',
      });
    }
    // Production may run without SMTP_URL (the contract requires it of no deployment): invitation
    // links are still shown to whoever invites, and no email is sent or logged (src/accounts/mailer.ts).
    if (env.SMTP_URL !== undefined && env.MAIL_FROM === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message:
          'is required with SMTP_URL when NODE_ENV=production: the sender of invitation and password-reset emails, e.g. "Example <no-reply@example.com>"',
      });
    }
    if (named.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          'is required when NODE_ENV=production (the in-process store serves one process only); set it to redis://host:6379 (or set REDIS_CLUSTER_NODES or REDIS_SENTINELS instead)',
      });
    }
    const secrets = splitSecrets(env.SESSION_SECRET);
    const fix = 'generate one with: openssl rand -base64 48';
    if (secrets.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: `is required when NODE_ENV=production; ${fix}`,
      });
    } else if (secrets.some((s) => s === DEV_SESSION_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: `is the public development value; ${fix}`,
      });
    } else if (secrets.some((s) => Buffer.byteLength(s) < MIN_SECRET_BYTES)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: `has a secret shorter than ${MIN_SECRET_BYTES} bytes; ${fix}`,
      });
    }
  });

function splitSecrets(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  /** The internal listener's port (/tls/ask, /metrics); 0: a free one. */
  internalPort: number;
  /** Interface to listen on; undefined means all. */
  host: string | undefined;
  /** The default store: REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS, or in process. */
  store: StoreConfig;
  appName: string;
  /** First signs, all verify. */
  sessionSecrets: string[];
  usingDevSecret: boolean;
  sessionTtlSeconds: number;
  sessionAbsoluteSeconds: number;
  /** Most sessions one user may hold on a tenant (1-1000). */
  sessionMaxPerUser: number;
  sessionCookieName: string;
  trustProxy: TrustProxy;
  tenantsDir: string;
  /** The server's own role: RLS applies to it. Undefined: PGlite in the process (development only). */
  databaseUrl: string | undefined;
  /** The role that owns the tables (migrations, seeding); undefined: DATABASE_URL's. */
  databaseMigrationUrl: string | undefined;
  /** Where PGlite keeps its files when DATABASE_URL is unset. */
  dataDir: string;
  /** smtp:// or smtps:// for invitation and reset emails; undefined: none sent (src/accounts/mailer.ts). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Most tenants whose session middlewares (and derived keys) stay built: the most recently served. */
  tenantCacheSize: number;
  /** Hosts that belong to no tenant: the front door (landing page) answers there. Normalised. */
  centralHosts: string[];
  loginMaxFailures: number;
  loginMaxFailuresPerAddress: number;
  loginWindowSeconds: number;
  /** Successful sign-ins per tenant, username and client address within the window. */
  loginMaxSuccesses: number;
  /** Below libuv's thread pool, which also reads files (HashQueueOptions.concurrency). */
  loginHashConcurrency: number;
  redisTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  logFormat: 'json' | 'pretty' | undefined;
  replicaName: string | undefined;
  /** METRICS=off: no /metrics and no per-request counting. */
  metrics: boolean;
  /** Most distinct tenant ids the metrics' `tenant` label takes; the rest count as "other". */
  metricsTenantLabels: number;
  /** Customers' own domains (src/domains/). */
  domains: DomainsConfig;
}

export interface DomainsConfig {
  /** `address:port` of each DNS server TXT records are asked of; undefined: the system's. */
  dnsServers: string[] | undefined;
  recheckSeconds: number;
  graceSeconds: number;
  maxPerTenant: number;
}

/** Which default store, from whichever one of the three variables is set (checked above). */
export type StoreConfig =
  | { kind: 'redis'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string }
  /** Outside production only: one process's memory. */
  | { kind: 'memory' };

function storeOf(e: z.infer<typeof envSchema>): StoreConfig {
  if (e.REDIS_URL) return { kind: 'redis', url: e.REDIS_URL };
  if (e.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES };
  if (e.REDIS_SENTINELS && e.REDIS_SENTINEL_MASTER) {
    return { kind: 'sentinel', sentinels: e.REDIS_SENTINELS, master: e.REDIS_SENTINEL_MASTER };
  }
  return { kind: 'memory' };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A typed Config, or one ConfigError listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'} ${issue.message}`),
    );
  }
  const e = parsed.data;
  const secrets = splitSecrets(e.SESSION_SECRET);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    internalPort: e.INTERNAL_PORT,
    host: e.HOST,
    store: storeOf(e),
    appName: e.APP_NAME,
    sessionSecrets: secrets.length > 0 ? secrets : [DEV_SESSION_SECRET],
    usingDevSecret: secrets.length === 0,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    sessionAbsoluteSeconds: e.SESSION_ABSOLUTE_SECONDS,
    sessionMaxPerUser: e.SESSION_MAX_PER_USER,
    sessionCookieName: e.SESSION_COOKIE_NAME,
    trustProxy: e.TRUST_PROXY,
    tenantsDir: e.TENANTS_DIR,
    databaseUrl: e.DATABASE_URL,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    dataDir: e.DATA_DIR,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? DEV_MAIL_FROM,
    tenantCacheSize: e.TENANT_CACHE_SIZE,
    centralHosts: e.CENTRAL_HOSTS,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginWindowSeconds: e.LOGIN_WINDOW_SECONDS,
    loginMaxSuccesses: e.LOGIN_MAX_SUCCESSES,
    loginHashConcurrency: Math.max(
      1,
      Math.min(e.LOGIN_HASH_CONCURRENCY ?? availableParallelism(), e.UV_THREADPOOL_SIZE - 1),
    ),
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    replicaName: e.REPLICA_NAME,
    metrics: e.METRICS === 'on',
    metricsTenantLabels: e.METRICS_TENANT_LABELS,
    domains: {
      dnsServers: e.DNS_SERVERS,
      recheckSeconds: e.DOMAIN_RECHECK_SECONDS,
      graceSeconds: e.DOMAIN_GRACE_SECONDS,
      maxPerTenant: e.DOMAINS_MAX_PER_TENANT,
    },
  };
}
