import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { tenantFileSchema } from '../src/tenants/tenant-file.ts';
import { newTenantFileText } from '../src/tenants/tenant-file-text.ts';
import { DEMO_TENANTS_DIR } from '../harness/demo.ts';

async function prettierAccepts(text: string): Promise<boolean> {
  const options = await prettier.resolveConfig(join(DEMO_TENANTS_DIR, 'customer-a.json'));
  return prettier.check(text, { ...options, filepath: 'tenant.json' });
}

describe('a new tenant file', () => {
  it('when written, then it is what the schema and Prettier accept, like the shipped files', async () => {
    const text = newTenantFileText({
      id: 'customer-a',
      name: 'Customer A',
      hosts: ['customer-a.localhost'],
      color: '#1f6feb',
      schema: './tenant.schema.json',
    });
    // The shipped file is exactly what the command would write.
    const shipped = await readFile(join(DEMO_TENANTS_DIR, 'customer-a.json'), 'utf8');
    expect(text).toBe(shipped);
    expect(tenantFileSchema.safeParse(JSON.parse(text)).success).toBe(true);
    expect(await prettierAccepts(text)).toBe(true);
  });

  it.each([1, 2, 3, 6])(
    'when it has %i hosts of every length around the print width, then Prettier accepts each',
    async (count) => {
      for (let length = 60; length <= 100; length++) {
        const hosts = Array.from({ length: count }, (_, i) =>
          `${i}`.padEnd(Math.max(1, Math.floor(length / count) - 8), 'h').concat('.example'),
        );
        const text = newTenantFileText({ id: 'x', name: 'X', hosts, color: '#123456' });
        expect(JSON.parse(text)).toMatchObject({ hosts });
        expect(await prettierAccepts(text), text).toBe(true);
      }
    },
  );

  it('when the name has quotes, backslashes or other scripts, then it is valid JSON holding exactly that name', async () => {
    const name = 'Ünïcødé "Quoted" \\ Café 東京';
    const text = newTenantFileText({ id: 'x', name, hosts: ['x.localhost'], color: '#123456' });
    expect((JSON.parse(text) as { name: string }).name).toBe(name);
    expect(await prettierAccepts(text)).toBe(true);
  });
});
