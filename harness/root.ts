import { fileURLToPath } from 'node:url';

/** The repository root: where the server runs from, and where tenants/, deploy/ and docs/ are. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
