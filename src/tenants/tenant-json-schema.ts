import { z } from 'zod';
import { tenantFileSchema } from './tenant-file.ts';

/** The JSON Schema of a tenant file, derived from the one zod schema that validates it. */
export function tenantJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(tenantFileSchema, { io: 'input' }),
    title: 'tenantry tenant',
  };
}
