import { join } from 'node:path';
import { ROOT } from './root.ts';

/** The repository's own tenant files: the demo every test and the benchmark start from. */
export const DEMO_TENANTS_DIR = join(ROOT, 'tenants');

/** The demo users, as the contract names them. */
export const DEMO = {
  a: {
    tenant: 'customer-a',
    host: 'customer-a.localhost',
    username: 'alice',
    password: 'alice-password',
    name: 'Customer A',
  },
  b: {
    tenant: 'customer-b',
    host: 'customer-b.localhost',
    username: 'bob',
    password: 'bob-password',
    name: 'Customer B',
  },
  c: {
    tenant: 'customer-c',
    host: 'customer-c.localhost',
    username: 'carol',
    password: 'carol-password',
    name: 'Customer C',
  },
} as const;
