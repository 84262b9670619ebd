import { defineConfig } from 'vitest/config';

// `npm test`: unit, storage, emulator and end-to-end tests. Crash trials live in test/faults
// and run with `npm run test:faults` (vitest.faults.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
