import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { timedRequest } from '../../harness/http-client.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { hasScriptCommand, runInTerminal, runScript } from '../../harness/command.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';
import { DEMO_TENANTS_DIR } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';

/**
 * `npm run tenant:add` and `npm run user:add` as a person (or a script) runs them, against a
 * temporary tenants folder that a running server watches: what they write is served, and
 * signed in to, within 2 s, and is formatted as `npm run format:check` wants it. The tests build
 * on each other in order, as a person would: the tenant added first gets the users added later.
 */
let dir: string;
let server: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantry-scaffold-'));
  await cp(DEMO_TENANTS_DIR, dir, { recursive: true });
  server = await startServer({ redisUrl: inject('redisUrl'), env: { TENANTS_DIR: dir } });
  // The commands write where the running server reads: its tenant files and its database.
  env = {
    TENANTS_DIR: dir,
    NODE_ENV: 'development',
    PORT: '3000',
    DATABASE_URL: server.env.DATABASE_URL!,
  };
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Whether Prettier, with this repository's settings for tenants/*.json, leaves the text as it is. */
async function prettierAccepts(text: string): Promise<boolean> {
  const options = await prettier.resolveConfig(join(DEMO_TENANTS_DIR, 'customer-a.json'));
  return prettier.check(text, { ...options, filepath: 'tenant.json' });
}

const files = async () => (await readdir(dir)).sort();
const read = (file: string) => readFile(join(dir, file), 'utf8');
const page = (host: string, path = '/') => timedRequest({ port: server.port, host, path });
/** Within 2 s of the command's end, as the contract says; polled, never a fixed sleep. */
const within2s = (check: () => Promise<unknown>) =>
  eventually(check, { timeoutMs: 2000, intervalMs: 50 });

describe('npm run tenant:add', () => {
  it('when a new id and host are given, then a Prettier-clean file is written and the running server serves the tenant within 2 s', async () => {
    const run = await runScript(
      'tenant:add',
      [
        'customer-d',
        '--host',
        'Customer-D.localhost',
        '--name',
        'Customer D',
        '--color',
        '#8250DF',
      ],
      { env },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(join(dir, 'customer-d.json'));
    expect(run.stdout).toContain('http://customer-d.localhost:3000');

    const text = await read('customer-d.json');
    expect(JSON.parse(text)).toEqual({
      $schema: './tenant.schema.json',
      id: 'customer-d',
      name: 'Customer D',
      hosts: ['customer-d.localhost'],
      theme: { color: '#8250DF' },
    });
    expect(await prettierAccepts(text)).toBe(true);
    expect((await files()).filter((f) => f.includes('.tmp'))).toEqual([]);

    await within2s(async () => {
      const res = await page('customer-d.localhost');
      expect(res.status).toBe(200);
      expect(res.body).toContain('Customer D');
    });
  });

  it('when only the id and host are given, then the name comes from the id and the colour is one no tenant uses', async () => {
    const run = await runScript('tenant:add', ['north-wind-2', '--host', 'nw.localhost'], { env });
    expect(run.code).toBe(0);
    const file = JSON.parse(await read('north-wind-2.json')) as {
      name: string;
      theme: { color: string };
    };
    expect(file.name).toBe('North Wind 2');
    const others = await Promise.all(
      ['customer-a', 'customer-b', 'customer-c', 'customer-d'].map(
        async (id) => (JSON.parse(await read(`${id}.json`)) as typeof file).theme.color,
      ),
    );
    expect(others.map((c) => c.toLowerCase())).not.toContain(file.theme.color);
    await within2s(async () => expect((await page('nw.localhost')).body).toContain('North Wind 2'));
  });

  it('when the host is already taken, then exit 1 naming the file that has it, and nothing is written', async () => {
    const before = await files();
    const run = await runScript('tenant:add', ['intruder', '--host', 'CUSTOMER-A.localhost'], {
      env,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'host "customer-a.localhost" is already claimed by customer-a.json',
    );
    expect(await files()).toEqual(before);
  });

  it('when the id is already taken, by its own file name or inside another file, then exit 1 naming that file', async () => {
    const sameName = await runScript('tenant:add', ['customer-b', '--host', 'b2.localhost'], {
      env,
    });
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toContain(`${join(dir, 'customer-b.json')} already exists`);

    await writeFile(
      join(dir, 'legacy-name.json'),
      `${JSON.stringify({ id: 'acme', name: 'Acme', hosts: ['acme.localhost'], theme: { color: '#123456' } }, null, 2)}\n`,
    );
    const before = await files();
    const inside = await runScript('tenant:add', ['acme', '--host', 'acme2.localhost'], { env });
    expect(inside.code).toBe(1);
    expect(inside.stderr).toContain('id "acme" is already used by legacy-name.json');
    expect(await files()).toEqual(before);
  });

  it('when the host is a central host, then exit 1 naming CENTRAL_HOSTS', async () => {
    const run = await runScript('tenant:add', ['central', '--host', 'localhost'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('host "localhost" is a central host (CENTRAL_HOSTS)');
    expect(await files()).not.toContain('central.json');
  });

  it.each([
    [['Bad_Id', '--host', 'x.localhost'], 1, /"Bad_Id" is not a tenant id/],
    [['ok-id', '--host', 'not a host'], 1, /host "not a host" is not a valid host name/],
    [['ok-id', '--host', 'ok.localhost', '--color', 'red'], 1, /theme\.color must be a colour/],
    [['ok-id'], 2, /required option '--host <host>'/],
    [['--host', 'x.localhost'], 2, /missing required argument 'id'/],
  ] as const)(
    'when the arguments are %j, then exit %i and a message says why',
    async (args, code, message) => {
      const run = await runScript('tenant:add', [...args], { env });
      expect(run.code).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(await files()).not.toContain('ok-id.json');
    },
  );
});

describe('npm run user:add', () => {
  const dave = {
    host: 'customer-d.localhost',
    username: 'dave',
    password: 'dave: a long passphrase',
  };
  /** The tenant's users as the database has them (the server's role, within that tenant). */
  const usersOf = async (tenantId: string) => {
    const database = await openDatabase(
      { databaseUrl: env.DATABASE_URL, databaseMigrationUrl: undefined, dataDir: '' },
      pino({ level: 'silent' }),
    );
    try {
      return await usersRepository(database.db).list(tenantId);
    } finally {
      await database.close();
    }
  };

  it('when a password comes on standard input, then the user is created with its hash and can sign in at once', async () => {
    const run = await runScript(
      'user:add',
      ['customer-d', 'dave', '--display-name', 'Dave Davis'],
      { env, input: `${dave.password}\nthe second line is not read\n` },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Added dave (member) to customer-d.');

    const [user] = await usersOf('customer-d');
    expect(user).toMatchObject({ username: 'dave', displayName: 'Dave Davis', role: 'member' });
    expect(await verifyPassword(dave.password, user!.passwordHash)).toBe(true);

    const cookie = await signIn(server.port, dave);
    const me = await timedRequest({
      port: server.port,
      host: dave.host,
      path: '/api/me',
      cookie: cookie,
      accept: 'application/json',
    });
    expect(JSON.parse(me.body)).toEqual({
      tenant: { id: 'customer-d', name: 'Customer D' },
      user: { username: 'dave', displayName: 'Dave Davis' },
    });
  });

  it('when a role is given, then the user has it, and users of other tenants are untouched', async () => {
    const run = await runScript('user:add', ['customer-a', 'ann', '--role', 'admin'], {
      env,
      input: 'ann-password\n',
    });
    expect(run.code).toBe(0);
    expect((await usersOf('customer-a')).map((u) => [u.username, u.role])).toEqual([
      ['alice', 'owner'],
      ['amy', 'member'],
      ['ann', 'admin'],
    ]);
    expect((await usersOf('customer-d')).map((u) => u.username)).toEqual(['dave']);
    await signIn(server.port, {
      host: 'customer-a.localhost',
      username: 'ann',
      password: 'ann-password',
    });
  });

  it.each([
    [
      'the user exists',
      ['customer-d', 'dave'],
      'x-password-1\n',
      'User "dave" already exists at customer-d.',
    ],
    [
      'the user exists in another letter case',
      ['customer-d', 'DAVE'],
      'x-password-1\n',
      'is not a username',
    ],
    [
      'the tenant does not exist',
      ['customer-z', 'zed'],
      'x-password-1\n',
      'No tenant "customer-z"',
    ],
    [
      'the role is unknown',
      ['customer-d', 'eve', '--role', 'root'],
      'x-password-1\n',
      'one of owner, admin, member',
    ],
    ['no password comes', ['customer-d', 'eve'], '', 'No password given.'],
    ['the password is an empty line', ['customer-d', 'eve'], '\n', 'No password given.'],
    ['the password is too short', ['customer-d', 'eve'], 'short\n', 'at least 10 characters'],
    [
      'the password is too long',
      ['customer-d', 'eve'],
      `${'x'.repeat(201)}\n`,
      'at most 200 characters',
    ],
  ])(
    'when %s, then exit non-zero with a message, and no user is added',
    async (_, args, input, message) => {
      const before = await usersOf('customer-d');
      const run = await runScript('user:add', args, { env, input });
      expect(run.code).toBeGreaterThan(0);
      expect(run.stderr).toContain(message);
      expect(await usersOf('customer-d')).toEqual(before);
    },
  );
});

describe.runIf(hasScriptCommand())('on a terminal', () => {
  it('when user:add runs on a terminal, then it asks twice without echo and the user can sign in', async () => {
    const password = 'typed-on-a-terminal';
    const { code, screen } = await runInTerminal('user:add', ['customer-d', 'tess'], {
      env,
      answers: [
        ['Password:', password],
        ['Password again:', password],
      ],
    });
    expect(screen).toContain('Added tess (member) to customer-d');
    expect(code).toBe(0);
    expect(screen).not.toContain(password);
    await eventually(
      () => signIn(server.port, { host: 'customer-d.localhost', username: 'tess', password }),
      { timeoutMs: 2000, intervalMs: 50 },
    );
  });

  it('when the two passwords differ, then exit 1 and nothing is written', async () => {
    const { code, screen } = await runInTerminal('user:add', ['customer-d', 'typo'], {
      env,
      answers: [
        ['Password:', 'first-try'],
        ['Password again:', 'frist-try'],
      ],
    });
    expect(code).toBe(1);
    expect(screen).toContain('The two passwords differ; nothing was written.');
  });

  it('when hash-password runs on a terminal, then it asks without echo and prints a hash of what was typed', async () => {
    const { code, screen } = await runInTerminal('hash-password', [], {
      answers: [['Password:', 'hash-me-please']],
    });
    expect(code).toBe(0);
    expect(screen).not.toContain('hash-me-please');
    const hash = /scrypt\$\S+/.exec(screen)?.[0];
    expect(await verifyPassword('hash-me-please', hash!)).toBe(true);
  });
});

describe('npm run hash-password without a terminal', () => {
  it('when a password comes on standard input, then the hash of its first line is printed', async () => {
    const run = await runScript('hash-password', [], { input: 'piped-password\n' });
    expect(run.code).toBe(0);
    expect(await verifyPassword('piped-password', run.stdout.trim())).toBe(true);
  });
});

describe('a tenant file with a key twice', () => {
  let own: string;
  let ownEnv: Record<string, string>;
  beforeAll(async () => {
    own = await mkdtemp(join(tmpdir(), 'tenantry-scaffold-twice-'));
    await cp(DEMO_TENANTS_DIR, own, { recursive: true });
    ownEnv = { ...env, TENANTS_DIR: own };
    // JSON.parse reads the last "name"; an editor, or a tool editing the file, the first.
    const text = await readFile(join(own, 'customer-c.json'), 'utf8');
    await writeFile(
      join(own, 'customer-c.json'),
      text.replace('"name"', '"name": "Customer Sea",\n  "name"'),
    );
  });
  afterAll(async () => {
    await rm(own, { recursive: true, force: true });
  });

  it('when user:add runs beside it, then exit 1 naming the file and the key, and nothing is created', async () => {
    const run = await runScript('user:add', ['customer-c', 'dave'], {
      env: ownEnv,
      input: 'dave-password\n',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('customer-c.json: has the key "name" twice');
    expect(run.stdout).not.toContain('dave');
  });

  it('when tenant:add runs beside it, then exit 1 naming that file and the key, and nothing is written', async () => {
    const run = await runScript('tenant:add', ['customer-e', '--host', 'customer-e.localhost'], {
      env: ownEnv,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(own, 'customer-c.json')}: has the key "name" twice`);
    expect(await readdir(own)).not.toContain('customer-e.json');
  });
});
