import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TenantLoadError, loadTenants } from '../src/tenants/load-tenants.ts';
import { TenantRegistry } from '../src/tenants/registry.ts';
import { tenantJsonSchema } from '../src/tenants/tenant-json-schema.ts';
import { DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { eventually } from '../harness/polling.ts';

const tenant = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  name: `Tenant ${id}`,
  hosts: [`${id}.example.test`],
  theme: { color: '#123456' },
  ...overrides,
});

let dir: string;
const write = (name: string, content: unknown) =>
  writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
const problemsOf = async (env: Record<string, string> = {}) => {
  const err = await loadTenants(dir, env).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TenantLoadError);
  return (err as TenantLoadError).problems;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantry-tenants-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tenant files', () => {
  it('when the demo tenants load, then each host maps to its tenant', async () => {
    const registry = await TenantRegistry.open({
      dir: DEMO_TENANTS_DIR,
      env: {},
      logger: pino({ level: 'silent' }),
    });
    expect(registry.list().map((t) => [t.id, t.name, t.hosts])).toEqual([
      ['customer-a', 'Customer A', ['customer-a.localhost']],
      ['customer-b', 'Customer B', ['customer-b.localhost']],
      ['customer-c', 'Customer C', ['customer-c.localhost']],
    ]);
    expect(registry.resolve('Customer-B.localhost:8080')?.id).toBe('customer-b');
    expect(registry.resolve('customer-b.localhost.evil.test')).toBeUndefined();
  });

  it.each(['Customer-A', 'a:b', 'a*', 'a?', 'a[1]', 'a b', '-a', 'a-', 'x'.repeat(64), ''])(
    'when the id is %j, then the file is refused (ids go into Redis keys and SCAN patterns)',
    async (id) => {
      await write('bad.json', tenant(id));
      expect(await problemsOf()).toEqual([expect.stringMatching(/^bad\.json: id must be a slug/)]);
    },
  );

  it('when files are broken in several ways, then one error names every file and problem', async () => {
    await write('a.json', tenant('a'));
    await write('b.json', '{ not json');
    await write('c.json', tenant('c', { hosts: ['A.example.test.'] }));
    await write('d.json', tenant('a', { hosts: ['d.example.test'] }));
    await write('e.json', tenant('e', { theme: { color: 'red' }, extra: true }));
    await write('f.json', tenant('f', { users: [] }));
    const problems = await problemsOf();
    expect(problems).toEqual([
      expect.stringMatching(/^b\.json: not valid JSON/),
      'c.json: host "a.example.test" is already claimed by a.json',
      'd.json: id "a" is already used by a.json',
      expect.stringMatching(/^e\.json: theme\.color must be a colour/),
      expect.stringMatching(/^e\.json: .*extra/),
      expect.stringMatching(/^f\.json: has "users", but users live in the database now/),
    ]);
  });

  /** The file's JSON text with `insert` placed right after the first match of `after`. */
  const withText = (id: string, after: string, insert: string) => {
    const text = JSON.stringify(tenant(id), null, 2);
    const at = text.indexOf(after) + after.length;
    return text.slice(0, at) + insert + text.slice(at);
  };

  it.each([
    ['name', '{\n', '"name": "Another",\n'],
    ['theme.color', '"theme": {', '"color": "#654321",'],
    ['session.maxPerUser', '{\n', '"session": {"maxPerUser": 2, "maxPerUser": 1000},\n'],
    ['redis.urlEnv', '{\n', '"redis": {"urlEnv": "A_URL", "urlEnv": "B_URL"},\n'],
  ])(
    'when a file has the key %s twice, then it is refused naming the file and the key',
    async (key, after, insert) => {
      await write('ok.json', tenant('ok'));
      await write('twice.json', withText('twice', after, insert));
      expect(await problemsOf()).toEqual([`twice.json: has the key "${key}" twice`]);
    },
  );

  it('when sessionSecretEnv names a variable, then the tenant uses its secrets; unset or short is refused', async () => {
    await write('a.json', tenant('a', { sessionSecretEnv: 'TENANT_A_SECRET' }));
    expect(await problemsOf()).toEqual([
      'a.json: sessionSecretEnv names TENANT_A_SECRET, which is not set',
    ]);
    expect(await problemsOf({ TENANT_A_SECRET: 'short' })).toEqual([
      'a.json: TENANT_A_SECRET holds a secret shorter than 32 bytes',
    ]);
    const [loaded] = await loadTenants(dir, {
      TENANT_A_SECRET: `${'n'.repeat(32)},${'o'.repeat(32)}`,
    });
    expect(loaded?.ownSecrets).toEqual(['n'.repeat(32), 'o'.repeat(32)]);
  });

  it('when the JSON Schema file is compared with the zod schema, then it is up to date (npm run tenant-schema)', async () => {
    const committed = JSON.parse(
      await readFile(join(DEMO_TENANTS_DIR, 'tenant.schema.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(tenantJsonSchema());
  });
});

describe('tenant registry reload', () => {
  const logger = pino({ level: 'silent' });

  it('when a tenant file is added, then its host is served without a restart', async () => {
    await write('a.json', tenant('a'));
    const registry = await TenantRegistry.open({ dir, env: {}, logger });
    registry.watch(20);
    try {
      expect(registry.resolve('b.example.test')).toBeUndefined();
      await write('b.json', tenant('b'));
      await eventually(async () => expect(registry.resolve('b.example.test')?.id).toBe('b'), {
        timeoutMs: 5000,
        intervalMs: 50,
      });
    } finally {
      registry.close();
    }
  });

  it('when a running tenant file is broken, then the previous tenants stay in service', async () => {
    await write('a.json', tenant('a'));
    const registry = await TenantRegistry.open({ dir, env: {}, logger });
    await write('a.json', '{ oops');
    expect(await registry.reload()).toBe(false);
    expect(registry.resolve('a.example.test')?.id).toBe('a');
    await write('a.json', tenant('a', { name: 'Renamed' }));
    expect(await registry.reload()).toBe(true);
    expect(registry.resolve('a.example.test')?.name).toBe('Renamed');
  });

  it('when a running tenant file gets a key twice, then the reload is refused with a log line naming the file and the key, and the tenants stay in service', async () => {
    await write('a.json', tenant('a'));
    await write('b.json', tenant('b'));
    const lines: string[] = [];
    const logged = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const registry = await TenantRegistry.open({ dir, env: {}, logger: logged });
    // Two readers, two answers: JSON.parse takes the last "name", an editor the first.
    await write(
      'b.json',
      JSON.stringify(tenant('b'), null, 2).replace('"name"', '"name": "Renamed", "name"'),
    );
    expect(await registry.reload()).toBe(false);
    expect(lines.join('\n')).toContain('b.json: has the key \\"name\\" twice');
    expect(registry.resolve('a.example.test')?.id).toBe('a');
    expect(registry.resolve('b.example.test')?.name).toBe('Tenant b');
  });

  it('when one file changes, then only it is read again: the other tenants stay the very same objects', async () => {
    for (const id of ['a', 'b', 'c']) await write(`${id}.json`, tenant(id));
    const registry = await TenantRegistry.open({ dir, env: {}, logger });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => registry.resolve(`${id}.example.test`));
    expect(await registry.reload()).toBe(true);
    expect(registry.list()).toEqual([a, b, c]);
    expect(registry.list()[1]).toBe(b);

    await write('b.json', tenant('b', { name: 'Renamed' }));
    expect(await registry.reload()).toBe(true);
    expect(registry.resolve('a.example.test')).toBe(a);
    expect(registry.resolve('c.example.test')).toBe(c);
    expect(registry.resolve('b.example.test')).not.toBe(b);
    expect(registry.resolve('b.example.test')?.name).toBe('Renamed');

    // SIGHUP's reload reads every file again, unchanged or not.
    expect(await registry.reload({ everyFile: true })).toBe(true);
    expect(registry.resolve('a.example.test')).not.toBe(a);
    expect(registry.resolve('a.example.test')).toEqual(a);
  });

  it('when an edit is bad, then every previous tenant keeps serving as it was, and the fix is picked up', async () => {
    for (const id of ['a', 'b']) await write(`${id}.json`, tenant(id));
    const registry = await TenantRegistry.open({ dir, env: {}, logger });
    const [a, b] = registry.list();
    // Valid alone, refused across files: the checks across files still see the unchanged ones.
    await write('b.json', tenant('b', { hosts: ['a.example.test'] }));
    expect(await registry.reload()).toBe(false);
    await write('c.json', tenant('c'));
    expect(await registry.reload()).toBe(false);
    expect(registry.list()).toEqual([a, b]);
    expect(registry.resolve('b.example.test')).toBe(b);
    expect(registry.resolve('c.example.test')).toBeUndefined();

    await write('b.json', tenant('b', { name: 'Fixed' }));
    expect(await registry.reload()).toBe(true);
    expect(registry.resolve('a.example.test')).toBe(a);
    expect(registry.resolve('b.example.test')?.name).toBe('Fixed');
    expect(registry.resolve('c.example.test')?.id).toBe('c');
  });

  it('when a file is removed, then its tenant is no longer served', async () => {
    for (const id of ['a', 'b']) await write(`${id}.json`, tenant(id));
    const registry = await TenantRegistry.open({ dir, env: {}, logger });
    await rm(join(dir, 'b.json'));
    expect(await registry.reload()).toBe(true);
    expect(registry.list().map((t) => t.id)).toEqual(['a']);
    expect(registry.resolve('b.example.test')).toBeUndefined();
  });

  it('when the directory cannot be read at start, then start-up stops naming it', async () => {
    await expect(
      TenantRegistry.open({ dir: join(dir, 'missing'), env: {}, logger }),
    ).rejects.toThrow(/Invalid tenants in .*missing:\n {2}- cannot read the directory/);
  });
});
