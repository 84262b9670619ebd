/**
 * The model-based randomized test of the embedded server (test/storage/embedded-model.ts), bounded
 * for `npm test`: a fixed default seed, overridable with EMBEDDED_MODEL_SEED (and the length with
 * EMBEDDED_MODEL_STEPS); a failure names the seed and the step. `npm run test:faults` runs it
 * longer, over more seeds (test/faults/embedded-model.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runModel } from './embedded-model';

const seed = Number(process.env.EMBEDDED_MODEL_SEED ?? 20261203);
const steps = Number(process.env.EMBEDDED_MODEL_STEPS ?? 1500);

describe('embedded server against a simple in-memory model', () => {
  // $currentDate must stamp the same instant on the server and in the reference
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it(`agrees for ${steps} random operations (seed ${seed})`, () => {
    const r = runModel(seed, steps);
    expect(r.steps).toBe(steps);
    for (const op of ['insert', 'update', 'delete', 'findAndModify', 'find']) expect(r.counts[op], op).toBeGreaterThan(steps / 20);
  });
});
