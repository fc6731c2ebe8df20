import { z } from 'zod';

/** Tenant ids go into Redis keys and SCAN patterns, so they are slugs: no ':', '*', '?', '[', spaces or capitals. */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const seconds = z.number().int().min(60).max(31_536_000);

/** Each falls back to the environment (SESSION_TTL_SECONDS, …); see src/sessions/session-policy.ts. */
const sessionSchema = z
  .object({
    ttlSeconds: seconds.optional().describe('Idle lifetime of a session, 60 s to 1 year'),
    absoluteSeconds: seconds
      .optional()
      .describe('Lifetime of a session from sign-in, whatever the activity, 60 s to 1 year'),
    maxPerUser: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe(
        'Most sessions one user may hold here, 1 to 1000; signing in past it ends the one with the earliest sign-in',
      ),
  })
  .strict();

/** `npm run tenant-schema` writes tenant.schema.json from it. Users live in the database. */
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
      .describe(
        'Host names this tenant answers on, in ASCII (internationalised names as punycode, xn--…), matched exactly in any letter case',
      ),
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
    session: sessionSchema
      .default({})
      .describe('This tenant’s session policy; unset fields take the environment’s defaults'),
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
  })
  .strict();

export type TenantFile = z.infer<typeof tenantFileSchema>;
export type TenantSessionSettings = z.infer<typeof sessionSchema>;
