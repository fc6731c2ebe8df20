import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { freePort } from './free-port.ts';
import { childrenOf } from './proc.ts';
import { withSuperuser, type PostgresAddress } from './postgres-admin.ts';

/** A real PostgreSQL owned by one test run (or one test), on a free loopback port. */
export interface PostgresServer extends PostgresAddress {
  dir: string;
  /** `pg_ctl stop -m fast`: the server goes away; start() brings it back on the same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT to the postmaster and every backend: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** The postmaster and its backends now: the bench sums their CPU time. */
  pids(): number[];
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

/** Loopback TCP only; no fsync and friends: a test server, thrown away. */
const SETTINGS = [
  "listen_addresses = '127.0.0.1'",
  "unix_socket_directories = ''",
  'fsync = off',
  'synchronous_commit = off',
  'full_page_writes = off',
  'max_connections = 300',
];

/** util-linux's, in /usr/sbin (often off a non-root PATH). */
const RUNUSER = existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';

/** Debian's newest server binaries (/usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] && join(base, majors[0], 'bin');
}

/** What is missing to start a server, with how to install it; empty when nothing is. */
export function missingPostgres(): string[] {
  return postgresBinDir()
    ? []
    : ['PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql)'];
}

/**
 * initdb as the `postgres` user when running as root (initdb refuses root), as the current user
 * otherwise, into a temporary directory; scram-sha-256 passwords on loopback TCP, no Unix socket,
 * no fsync (a test server, thrown away). Creates the owner and runtime roles.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`The tests need ${missingPostgres().join('')}.`);
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const full = asRoot
      ? ([RUNUSER, ['-u', 'postgres', '--', join(bin, command), ...args]] as const)
      : ([join(bin, command), args] as const);
    const result = spawnSync(full[0], full[1], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed: ${result.error?.message ?? ''}${result.stderr}${result.stdout}`,
      );
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const superuser = { name: 'postgres', password: randomBytes(12).toString('hex') };
  writeFileSync(join(dir, 'pwfile'), superuser.password);
  if (asRoot) chownToPostgres([dir, join(dir, 'pwfile')]);
  const initdb = '--auth scram-sha-256 --no-locale -E UTF8 --no-sync'.split(' ');
  run('initdb', ['-D', data, '-U', superuser.name, '--pwfile', join(dir, 'pwfile'), ...initdb]);
  rmSync(join(dir, 'pwfile'));

  let port: number;
  const start = () => run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '30', 'start']);
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    appendFileSync(join(data, 'postgresql.conf'), [`port = ${port}`, ...SETTINGS, ''].join('\n'));
    try {
      start();
      break;
    } catch (err) {
      // The free port was taken meanwhile: the later `port` line wins on the next try.
      if (attempt >= 5 || !/could not bind|Address already in use/.test(readFileSync(log, 'utf8')))
        throw err;
    }
  }
  const pids = () => {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return [pid, ...childrenOf(pid)];
  };
  const server: PostgresServer = {
    dir,
    port,
    superuser,
    owner: { name: 'tenantry_owner', password: randomBytes(12).toString('hex') },
    runtime: { name: 'tenantry_app', password: randomBytes(12).toString('hex') },
    halt: async () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    start: async () => start(),
    pause: () => pids().forEach((pid) => process.kill(pid, 'SIGSTOP')),
    resume: () => pids().forEach((pid) => process.kill(pid, 'SIGCONT')),
    pids,
    async stop() {
      if (existsSync(join(data, 'postmaster.pid'))) {
        server.resume();
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await createRoles(server);
  return server;
}

async function createRoles(server: PostgresServer): Promise<void> {
  await withSuperuser(server, 'postgres', async (db) => {
    for (const role of [server.owner, server.runtime]) {
      await sql`create role ${sql.id(role.name)} login nosuperuser nobypassrls password ${sql.lit(role.password)}`.execute(
        db,
      );
    }
  });
}

/** Gives the `postgres` user the files initdb needs to read (running as root). */
function chownToPostgres(paths: string[]): void {
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  for (const path of paths) chownSync(path, id('-u'), id('-g'));
}
