/**
 * Fuzzing, the bounded run of `npm test` (issue 13): every seed unmutated, then 200 random mutated Slack payloads
 * against the real app over HTTP (test/helpers/fuzz.ts says what is generated and what must hold).
 * The longer run is test/faults/fuzz.test.ts (`npm run test:faults`). A failure prints the seed:
 * `FUZZ_SEED=<seed> npx vitest run test/e2e/fuzz.test.ts` replays it; FUZZ_RUNS changes the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, mutate, runCase, startFuzzTarget, type FuzzTarget } from '../helpers/fuzz';

let target: FuzzTarget & { settle: () => Promise<void> };

beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(() => target?.close());

describe('fuzzing the Slack endpoint', () => {
  it('every seed, unmutated, as the org admin and as a member without rights: no 5xx, no stack, no change by the member', async () => {
    for (let seed = 0; seed < target.seeds.length; seed++)
      for (const who of ['nobody', 'admin'] as const) await runCase(target, { seed, who, mutations: [] });
  }, 120_000);

  it('random mutations of them', async () => {
    const stats = await fuzz(target, Number(process.env.FUZZ_RUNS ?? 200));
    // the run reached the handlers: most mutated payloads were still taken, some refused
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  }, 120_000);

  it('mutate: changes a copy at the picked paths', () => {
    const p = { a: { b: 1 }, c: [1, 2] };
    expect(mutate(p, [{ op: 'set', at: 2, value: 'x' }])).toEqual({ a: { b: 'x' }, c: [1, 2] });
    expect(mutate(p, [{ op: 'delete', at: 1 }])).toEqual({ c: [1, 2] });
    expect(mutate(p, [{ op: 'wrap', at: 3 }])).toEqual({ a: { b: 1 }, c: [[1, 2]] });
    expect(p).toEqual({ a: { b: 1 }, c: [1, 2] });
  });
});
