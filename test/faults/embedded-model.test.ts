/**
 * The embedded server's model-based randomized test (test/storage/embedded-model.ts), long: several
 * seeds (EMBEDDED_MODEL_SEED sets the first) of EMBEDDED_MODEL_STEPS (default 25,000) operations.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runModel } from '../storage/embedded-model';

const first = Number(process.env.EMBEDDED_MODEL_SEED ?? 1);
const steps = Number(process.env.EMBEDDED_MODEL_STEPS ?? 25_000);
const SEEDS = [first, first + 1, first + 2, first + 3];

describe('embedded server against a simple in-memory model (long run)', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it.each(SEEDS)(`agrees for ${steps} random operations, seed %i`, (seed) => {
    expect(runModel(seed, steps).steps).toBe(steps);
  });
});
