import { defineConfig } from 'vitest/config';
import { ROOT } from '../../harness/root.ts';

// `npm run test:compose` only: it needs a container engine and builds images, so `npm test`
// (../../vitest.config.ts) leaves it out.
export default defineConfig({
  test: {
    root: ROOT,
    include: ['test/compose/**/*.test.ts'],
    // One stack at a time: each builds images and brings up a dozen containers.
    fileParallelism: false,
    // A restart waits for health (up to 2 min) and then for both replicas (30 s).
    testTimeout: 5 * 60_000,
  },
});
