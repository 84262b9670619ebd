/**
 * Chaos day and two instances (npm run test:faults): a simulated day of imports, cards and notices
 * while every emulator injects seeded random faults and the app is killed -9 three times; then the
 * same day with two app processes on one database. The end state must hold every time: nobody
 * duplicated or lost, each card once in its channel, each notice once, account states right, no job
 * left locked. The seed is printed; CHAOS_SEED=<n> replays it. CI runs seed 2 (its fault plan is then
 * fixed; the order of concurrent requests still varies); CHAOS_SEED=random draws one.
 * About two and a half minutes a trial.
 */
import { expect, it } from 'vitest';
import { runChaosDay } from './chaos-day';

const wanted = process.env.CHAOS_SEED ?? '2';
const seed = wanted === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(wanted);
console.log(`chaos seed ${seed} (replay: CHAOS_SEED=${seed} npm run test:faults -- chaos-day)`);

it('a chaos day with three kill -9: no duplicate, no loss, each card and notice once', async () => {
  const r = await runChaosDay({ seed, instances: 1, label: 'one' });
  console.log(JSON.stringify(r.stats));
  expect(r.violations, `seed ${seed}`).toEqual([]);
}, 600_000);

it('the same day with two app processes on one database: the same end state', async () => {
  const r = await runChaosDay({ seed, instances: 2, label: 'two' });
  console.log(JSON.stringify(r.stats));
  expect(r.violations, `seed ${seed}`).toEqual([]);
}, 600_000);
