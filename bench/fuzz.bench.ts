/**
 * `fuzz_cases_s` (for information): how many fuzzing cases per second the harness of
 * test/helpers/fuzz.ts runs against the real app (in process, embedded MongoDB, Slack emulator):
 * each case is a mutated, signed Slack payload sent over HTTP, the handler awaited, and the org's
 * database dumped before and after. A fixed seed, so that runs compare. `n`: the number of cases;
 * `refused`: how many of them the app refused (4xx or field errors).
 */
import { fuzz, startFuzzTarget } from '../test/helpers/fuzz';
import type { BenchMetric } from './types';

const CASES = 1000;
const SEED = 20261203;

const cases: BenchMetric = {
  name: 'fuzz_cases_s',
  async run() {
    const target = await startFuzzTarget();
    try {
      await fuzz(target, 50, SEED + 1); // warm-up: JIT, the first lookups
      const t0 = performance.now();
      const stats = await fuzz(target, CASES, SEED);
      const s = (performance.now() - t0) / 1000;
      return [
        { metric: 'fuzz_cases_s', value: Math.round((stats.cases / s) * 10) / 10, unit: 'cases/s', n: stats.cases, refused: stats.refused },
      ];
    } finally {
      await target.close();
    }
  },
};

export const metrics: BenchMetric[] = [cases];
