import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites with their own config and command: `npm run test:compose` needs a container engine
    // and builds images; `npm run soak` runs for minutes.
    exclude: [...configDefaults.exclude, 'test/compose/**', 'test/soak/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores: a few files at once keeps the suite fast without starving the servers it starts.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
