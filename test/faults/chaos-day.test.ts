/**
 * Chaos day and two instances (npm run test:faults): a simulated day of imports, cards and notices
 * while every emulator injects seeded random faults and the app is killed -9 three times; then the
 * same day with two app processes on one database. The end state must hold every time: nobody
 * duplicated or lost, each card once in its channel, each notice once, account states right, no job
 * left locked. The seed is printed; CHAOS_SEED=<n> replays it.
 *
 * Opt-in for now (CHAOS_DAY=1 npm run test:faults -- chaos-day): the import notices' accounting
 * still fails it (a few candidates told twice or never, see issue 13's notes); it joins the CI's
 * fault trials once it passes.
 */
import { expect, it } from 'vitest';

const enabled = process.env.CHAOS_DAY === '1';
import { runChaosDay } from './chaos-day';

const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`chaos seed ${seed} (replay: CHAOS_SEED=${seed} npm run test:faults -- chaos-day)`);

it.runIf(enabled)(
  'a chaos day with three kill -9: no duplicate, no loss, each card and notice once',
  async () => {
    const r = await runChaosDay({ seed, instances: 1, label: 'one' });
    console.log(JSON.stringify(r.stats));
    expect(r.violations, `seed ${seed}`).toEqual([]);
  },
  600_000,
);

it.runIf(enabled)(
  'the same day with two app processes on one database: the same end state',
  async () => {
    const r = await runChaosDay({ seed, instances: 2, label: 'two' });
    console.log(JSON.stringify(r.stats));
    expect(r.violations, `seed ${seed}`).toEqual([]);
  },
  600_000,
);
