import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TENANTS_DIR } from './demo.ts';

/** A tenant file as written on disk, loosely typed so tests can change any field. */
export type TenantFileJson = Record<string, unknown> & {
  users: (Record<string, unknown> & { username: string })[];
};

/**
 * A copy of the demo tenants in a fresh temporary directory, for tests that edit tenant files
 * (a running server watches it as TENANTS_DIR). `remove()` deletes it.
 */
export async function tenantFilesCopy() {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-tenant-files-'));
  await cp(DEMO_TENANTS_DIR, dir, { recursive: true });
  const path = (id: string) => join(dir, `${id}.json`);
  /** Written whole and renamed into place, as an editor would: a watcher never reads half a file. */
  const write = async (id: string, content: TenantFileJson) => {
    const temp = join(dir, `.${id}.json.tmp`);
    await writeFile(temp, JSON.stringify(content, null, 2));
    await rename(temp, path(id));
  };
  const read = async (id: string) => JSON.parse(await readFile(path(id), 'utf8')) as TenantFileJson;
  return {
    dir,
    read,
    write,
    /** Reads the file, lets `change` edit it, writes it back. */
    async edit(id: string, change: (file: TenantFileJson) => void) {
      const file = await read(id);
      change(file);
      await write(id, file);
    },
    /** Changes one user of the file. */
    async editUser(id: string, username: string, change: (user: Record<string, unknown>) => void) {
      const file = await read(id);
      const user = file.users.find((u) => u.username === username);
      if (!user) throw new Error(`${id}.json has no user ${username}`);
      change(user);
      await write(id, file);
    },
    delete: (id: string) => rm(path(id)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type TenantFiles = Awaited<ReturnType<typeof tenantFilesCopy>>;

/**
 * `count` generated tenants, `t00000`, `t00001`… at `<id>.localhost`, in a fresh temporary
 * directory, for what runs at scale (10,000 tenants). `remove()` deletes it.
 */
export async function generatedTenantFiles(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-many-tenants-'));
  const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(5, '0')}`);
  for (const [i, id] of ids.entries()) {
    const file = {
      id,
      name: `Tenant ${i}`,
      hosts: [`${id}.localhost`],
      theme: { color: '#1f6feb' },
    };
    await writeFile(join(dir, `${id}.json`), JSON.stringify(file));
  }
  return { dir, ids, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type GeneratedTenants = Awaited<ReturnType<typeof generatedTenantFiles>>;
