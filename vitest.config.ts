import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites with their own config and command: `npm run test:compose` needs a container engine
    // and builds images; `npm run soak` runs for minutes.
    exclude: [...configDefaults.exclude, 'test/compose/**', 'test/soak/**'],
    globalSetup: ['harness/global-setup.ts'],
    // Two cores: a few files at once keeps the suite fast without starving the servers it starts.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // `npm run test:coverage`: lines and branches of src/, failing under 90 % of lines.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: [
        // Process entry points: they run only as child processes (V8 coverage here sees this
        // process alone), and the tests drive them end to end that way: src/server.ts in
        // test/reliability/, test/logs.test.ts and test/observability/, the commands in test/cli/ and test/sessions/sessions-cli.test.ts.
        'src/server.ts',
        'src/serve.ts',
        'src/observability/tracing-env.ts',
        'src/cli/**',
      ],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 90 },
      // A flaky failure elsewhere still shows the figures.
      reportOnFailure: true,
    },
  },
});
