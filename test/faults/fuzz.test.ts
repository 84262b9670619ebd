/**
 * Fuzzing, the long run of `npm run test:faults`: a few thousand random and mutated Slack payloads
 * (test/helpers/fuzz.ts). `FUZZ_SEED=<seed> npm run test:faults -- test/faults/fuzz.test.ts` replays
 * a failed run; FUZZ_RUNS changes the count.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzz, startFuzzTarget, type FuzzTarget } from '../helpers/fuzz';

let target: FuzzTarget & { settle: () => Promise<void> };

beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(() => target?.close());

it('thousands of mutated payloads: no 5xx, no stack, no crash, no change by a refused request', async () => {
  const stats = await fuzz(target, Number(process.env.FUZZ_RUNS ?? 3000));
  expect(stats.cases).toBe(Number(process.env.FUZZ_RUNS ?? 3000));
}, 600_000);
