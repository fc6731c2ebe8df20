import { defineConfig } from 'vitest/config';
import { ROOT } from '../../harness/root.ts';

// `npm run soak` only: minutes long, so `npm test` (../../vitest.config.ts) leaves it out.
export default defineConfig({
  test: {
    root: ROOT,
    include: ['test/soak/**/*.test.ts'],
    // It starts its own redis-server and server; the suite's shared Redis is not needed.
    testTimeout: 30_000,
  },
});
