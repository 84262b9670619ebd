import { defineConfig } from 'vitest/config';

// `npm test`: unit, storage, emulator and end-to-end tests, then (a second group, once all of them
// have finished) the privacy scan of everything the e2e harnesses recorded (docs/privacy-scan.md).
// Crash trials live in test/faults and run with `npm run test:faults` (vitest.faults.config.ts).
const SCAN = 'test/privacy/scan.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['test/privacy/run-dir.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**', 'node_modules/**', SCAN],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'privacy-scan', include: [SCAN], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
