import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandCalls } from '../../harness/redis-cli.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import {
  hasScriptCommand,
  runCommand,
  runSessionsCli,
  type CommandResult,
} from '../../harness/command.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import {
  BROWSERS,
  indexKey,
  sessionKey,
  sessionsOf,
  signInWith,
  signedIn,
  type Signed,
} from '../../harness/user-sessions.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../../harness/demo.ts';
import { freePort } from '../../harness/free-port.ts';

/**
 * The operator's CLI (`npm run -s sessions -- <command>`), run as a process against a real Redis
 * with the configuration the server would read, on sessions made through the app itself.
 */
let t: TestApp;
let env: Record<string, string>;
let alice1: Signed;
let alice2: Signed;
let bob: Signed;

beforeAll(async () => {
  t = await createTestApp();
  env = {
    REDIS_URL: t.redisUrl,
    APP_NAME: t.config.appName,
    TENANTS_DIR: DEMO_TENANTS_DIR,
    REDIS_TIMEOUT_MS: '500',
  };
  alice1 = await signInWith(t.app, DEMO.a, BROWSERS.firefox);
  alice2 = await signInWith(t.app, DEMO.a, BROWSERS.safari);
  bob = await signInWith(t.app, DEMO.b, BROWSERS.chrome);
});
afterAll(async () => {
  await t.close();
});

const cli = (...args: string[]) => runSessionsCli(args, { env });
const json = <T>(res: CommandResult): T => {
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as T;
};
interface Row {
  sid: string;
  user: string | null;
  createdAt: string;
  lastSeenAt: string;
}

describe('npm run sessions -- list | show | stats', () => {
  it('when listing a tenant as JSON, then stdout is a JSON array of its sessions, newest sign-in first, each with the bare sid', async () => {
    const rows = json<Row[]>(await cli('list', 'customer-a', '--json'));
    expect(rows.map((r) => [r.sid, r.user])).toEqual([
      [alice2.sid, 'alice'],
      [alice1.sid, 'alice'],
    ]);
    for (const r of rows) {
      expect(new Date(r.createdAt).toISOString()).toBe(r.createdAt);
      expect(new Date(r.lastSeenAt).toISOString()).toBe(r.lastSeenAt);
    }
  });

  it('when listing as a table, then a header line and one line per session', async () => {
    const res = await cli('list', 'customer-b');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SID\s+USER\s+SIGNED IN \(UTC\)\s+LAST SEEN \(UTC\)\s+ADDRESS$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${bob.sid}\\s+bob\\s+`))]);
  });

  it('when showing one session, then it has its user, times, handle and whether the server still honours it', async () => {
    const shown = json<Record<string, unknown>>(
      await cli('show', 'customer-a', alice1.sid, '--json'),
    );
    const handle = (await sessionsOf(t.app, DEMO.a.host, alice1.cookie)).find(
      (s) => s.current,
    )!.handle;
    expect(shown).toMatchObject({
      sid: alice1.sid,
      tenant: 'customer-a',
      user: 'alice',
      handle,
      device: 'Firefox on Linux',
      userAgent: BROWSERS.firefox,
      status: 'signed in',
    });
    expect(shown.expiresInSeconds).toBeGreaterThan(3000);
  });

  it('when counting, then stats prints live sessions per tenant as {"<tenant-id>": n}', async () => {
    expect(json(await cli('stats', '--json'))).toEqual({
      'customer-a': 2,
      'customer-b': 1,
      'customer-c': 0,
    });
  });

  it('when run through npm as the contract writes it, then the same', async () => {
    const res = await runCommand('npm', ['run', '-s', 'sessions', '--', 'stats', '--json'], {
      env,
    });
    expect(json(res)).toMatchObject({ 'customer-a': 2 });
  });
});

describe('npm run sessions -- revoke | revoke-user | purge', () => {
  it('when one session is revoked, then its next request is anonymous and it leaves its user’s index; again, exit 1', async () => {
    const victim = await signInWith(t.app, DEMO.c, BROWSERS.chrome);
    const res = await cli('revoke', 'customer-c', victim.sid);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`revoked session ${victim.sid} (carol)`);
    expect(await signedIn(t.app, DEMO.c.host, victim.cookie)).toBe(false);
    expect(
      await t.redis.zScore(indexKey(t.config.appName, 'customer-c', 'carol'), victim.sid),
    ).toBeNull();
    const again = await cli('revoke', 'customer-c', victim.sid);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`unknown session "${victim.sid}"`);
  });

  it('when purge runs without --yes and no terminal to ask on, then exit 2 and nothing is deleted', async () => {
    const res = await cli('purge', 'customer-b');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--yes');
    expect(await signedIn(t.app, DEMO.b.host, bob.cookie)).toBe(true);
  });

  it.skipIf(!hasScriptCommand())(
    'when purge runs on a terminal, then it asks for the tenant id: a wrong answer deletes nothing (exit 1)',
    async () => {
      const res = await onTerminal(['purge', 'customer-b'], 'customer-x\n');
      expect(res.stdout).toContain('Type the tenant id to confirm');
      expect(res.code).toBe(1);
      expect(await signedIn(t.app, DEMO.b.host, bob.cookie)).toBe(true);
    },
  );

  it('when purge runs with --yes, then every session and index of that tenant goes, and no other tenant’s', async () => {
    const carol = await signInWith(t.app, DEMO.c, BROWSERS.firefox);
    const result = json(await cli('purge', 'customer-b', '--yes', '--json'));
    expect(result).toEqual({ tenant: 'customer-b', sessions: 1, indexes: 1 });
    expect(await signedIn(t.app, DEMO.b.host, bob.cookie)).toBe(false);
    expect(await t.redis.exists(indexKey(t.config.appName, 'customer-b', 'bob'))).toBe(0);
    expect(await signedIn(t.app, DEMO.a.host, alice1.cookie)).toBe(true);
    expect(await signedIn(t.app, DEMO.c.host, carol.cookie)).toBe(true);
    expect(json<Record<string, number>>(await cli('stats', '--json'))['customer-b']).toBe(0);
  });
});

describe('revoke-user reads the index and never scans', () => {
  let own: RedisServer;
  let app: TestApp;
  beforeAll(async () => {
    own = await startRedisServer(); // INFO commandstats counts for this test alone
    app = await createTestApp({ redisUrl: own.url });
  });
  afterAll(async () => {
    await app.close();
    await own.stop();
  });

  const calls = async (command: string) =>
    commandCalls(await app.redis.info('commandstats'))[command] ?? 0;

  it('when revoke-user ends alice’s sessions, then they are anonymous, bob’s stay, and Redis ran no SCAN or KEYS', async () => {
    const ownEnv = { ...env, REDIS_URL: own.url, APP_NAME: app.config.appName };
    const sessions = [
      await signInWith(app.app, DEMO.a, BROWSERS.firefox),
      await signInWith(app.app, DEMO.a, BROWSERS.safari),
    ];
    const bobs = await signInWith(app.app, DEMO.b, BROWSERS.chrome);
    const before = { scan: await calls('scan'), keys: await calls('keys') };

    const listed = json<Row[]>(
      await runSessionsCli(['list', 'customer-a', '--user', 'alice', '--json'], { env: ownEnv }),
    );
    expect(listed.map((r) => r.sid).sort()).toEqual(sessions.map((s) => s.sid).sort());
    const res = await runSessionsCli(['revoke-user', 'customer-a', 'alice', '--json'], {
      env: ownEnv,
    });
    expect(json(res)).toEqual({ tenant: 'customer-a', user: 'alice', revoked: 2 });

    expect({ scan: await calls('scan'), keys: await calls('keys') }).toEqual(before);
    for (const s of sessions) expect(await signedIn(app.app, DEMO.a.host, s.cookie)).toBe(false);
    expect(
      await app.redis.exists(
        sessions.map((s) => sessionKey(app.config.appName, 'customer-a', s.sid)),
      ),
    ).toBe(0);
    expect(await signedIn(app.app, DEMO.b.host, bobs.cookie)).toBe(true);

    // The check can see a scan: listing without --user scans.
    await runSessionsCli(['list', 'customer-a', '--json'], { env: ownEnv });
    expect(await calls('scan')).toBeGreaterThan(before.scan);
  });
});

describe('what goes wrong, and the exit status that says so', () => {
  it('when the tenant or the session is unknown, then exit 1 with a message naming it', async () => {
    const [tenant, session] = await Promise.all([
      cli('list', 'customer-z'),
      cli('show', 'customer-a', 'no-such-session'),
    ]);
    expect([tenant.code, session.code]).toEqual([1, 1]);
    expect(tenant.stderr).toContain('unknown tenant "customer-z"');
    expect(session.stderr).toContain('unknown session "no-such-session" at tenant customer-a');
    expect(tenant.stdout + session.stdout).toBe('');
  });

  it.each([
    ['an unknown command', ['lsit', 'customer-a'], /unknown command 'lsit'/],
    ['a missing argument', ['show', 'customer-a'], /missing required argument 'sid'/],
    ['an unknown option', ['list', 'customer-a', '--users', 'x'], /unknown option '--users'/],
    ['no command', [], /Usage: sessions/],
    ['a username that cannot be one', ['revoke-user', 'customer-a', 'A*'], /not a username/],
  ])('when given %s, then exit 2 (usage)', async (_case, args, message) => {
    const res = await cli(...args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });

  it('when Redis is unreachable, then exit 1 "Redis unreachable" naming it, without hanging', async () => {
    const port = await freePort(); // nothing listens there
    const res = await runSessionsCli(['stats'], {
      env: { ...env, REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Redis unreachable at redis://127.0.0.1:${port}`);
  });

  it('when REDIS_URL is unset, then exit 1: the sessions are inside the server process', async () => {
    const res = await runSessionsCli(['stats'], { env: { ...env, REDIS_URL: '' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('REDIS_URL is unset');
  });

  it('when the configuration is invalid, then exit 1 naming the setting', async () => {
    const res = await runSessionsCli(['stats'], { env: { ...env, APP_NAME: 'Not A Slug' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('APP_NAME');
  });
});

/** Runs the CLI on a pseudo-terminal (stdin and stderr are TTYs), typing `input`. */
function onTerminal(args: string[], input: string) {
  const command = [process.execPath, '--import', 'tsx', 'src/cli/sessions.ts', ...args]
    .map((a) => `'${a}'`)
    .join(' ');
  return runCommand('script', ['-qec', command, '/dev/null'], { env, input });
}

describe('what a client sent, on the operator’s terminal', () => {
  let own: TestApp;
  let ownEnv: Record<string, string>;
  let evil: Signed;
  /** C1 controls (CSI, OSC, ST), sent as UTF-8 bytes, which Node accepts in a header. */
  const sent = 'Mozilla/5.0 \u009b2J\u009d0;owned\u009c end';
  /** What the server reads: header bytes as latin1, so each C1 control comes after an "Â". */
  const userAgent = Buffer.from(sent, 'utf8').toString('latin1');
  /** C0 controls and DEL, as a trusted proxy's X-Forwarded-For or a store writer could plant them. */
  const ip = '203.0.113.7\u001b[2J\nfake line\u007f';
  /** Any C0 control but tab and line feed, DEL, or any C1 control. */
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  beforeAll(async () => {
    own = await createTestApp();
    ownEnv = { ...env, APP_NAME: own.config.appName };
    evil = await signInWith(own.app, DEMO.c, sent);
    const key = sessionKey(own.config.appName, 'customer-c', evil.sid);
    const data = JSON.parse((await own.redis.get(key))!) as Record<string, unknown>;
    await own.redis.set(key, JSON.stringify({ ...data, ip }), { KEEPTTL: true });
  });
  afterAll(async () => {
    await own.close();
  });

  const run = (...args: string[]) => runSessionsCli(args, { env: ownEnv });

  it.each([
    ['list', ['list', 'customer-c']],
    ['list --user', ['list', 'customer-c', '--user', 'carol']],
    ['show', ['show', 'customer-c', '<sid>']],
  ])(
    'when %s prints a session whose browser and address carry control characters, then each is shown escaped',
    async (_name, args) => {
      const res = await run(...args.map((a) => (a === '<sid>' ? evil.sid : a)));
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).not.toMatch(CONTROL);
      expect(res.stdout).not.toContain('fake line\n');
      expect(res.stdout).toContain('\\x1b[2J\\x0afake line\\x7f');
      if (args[0] === 'show') expect(res.stdout).toContain('\\x9b2J\u00c2\\x9d0;owned\u00c2\\x9c');
    },
  );

  it('when the same is printed as JSON, then it is valid JSON holding the strings as sent, and no raw control character', async () => {
    const res = await run('show', 'customer-c', evil.sid, '--json');
    expect(res.stdout).not.toMatch(CONTROL);
    expect(json(res)).toMatchObject({ userAgent, ip });
    const rows = json<(Row & { userAgent: string; ip: string })[]>(
      await run('list', 'customer-c', '--json'),
    );
    expect(rows).toEqual([expect.objectContaining({ sid: evil.sid, userAgent, ip })]);
  });
});
