/** Writes tenants/tenant.schema.json from the tenant file schema, so editors complete and check tenant files. */
import { writeFile } from 'node:fs/promises';
import { tenantJsonSchema } from '../tenants/tenant-json-schema.ts';

const target = new URL('../../tenants/tenant.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(tenantJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
