import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run soak` only: minutes long, so `npm test` (../../vitest.config.ts) leaves it out.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/soak/**/*.test.ts'],
    // It starts its own redis-server and server; the suite's shared Redis is not needed.
    testTimeout: 30_000,
  },
});
