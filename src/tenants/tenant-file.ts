import { z } from 'zod';

/** Tenant ids go into Redis keys and SCAN patterns, so they are slugs: no ':', '*', '?', '[', spaces or capitals. */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const userSchema = z
  .object({
    username: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be lower case letters, digits, ".", "_" or "-"'),
    displayName: z.string().min(1).max(100),
    passwordHash: z
      .string()
      .regex(/^scrypt\$/, 'must be an scrypt hash made by `npm run hash-password`'),
  })
  .strict();

/** The shape of one file in tenants/. `npm run tenant-schema` writes tenant.schema.json from it. */
export const tenantFileSchema = z
  .object({
    $schema: z.string().optional(),
    id: z
      .string()
      .regex(TENANT_ID_PATTERN, 'must be a slug: a-z, 0-9 and "-", at most 63 characters'),
    name: z.string().min(1).max(100).describe('Display name shown on every page'),
    hosts: z
      .array(z.string().min(1).max(253))
      .min(1)
      .describe('Host names this tenant answers on, matched exactly after normalisation'),
    theme: z
      .object({
        color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb'),
      })
      .strict(),
    sessionSecretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
      .optional()
      .describe(
        'Name of an environment variable holding this tenant’s own signing secrets (comma-separated, first signs). Never the secret itself.',
      ),
    redis: z
      .object({
        urlEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
          .describe(
            'Name of an environment variable holding the redis:// URL of this tenant’s own Redis. Never the URL itself (it may carry a password).',
          ),
      })
      .strict()
      .optional()
      .describe(
        'A Redis of this tenant’s own for its sessions and login limits; without it the default store (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS) holds them.',
      ),
    users: z.array(userSchema).default([]),
  })
  .strict();

export type TenantFile = z.infer<typeof tenantFileSchema>;
export type TenantUser = z.infer<typeof userSchema>;
