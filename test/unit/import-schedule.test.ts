import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  nextRegularRun,
  onScheduleClock,
  nextRunAfter,
  accountOffsetSeconds,
  backoffMs,
  CONSOLE_HOURS,
  WANTEDLY_PERIOD_S,
} from '../../src/domain/import-schedule';

/** Steps a fake clock through `days` of runs and returns them in the zone as local times. */
function runs(medium: 'wantedly' | 'bizreach', id: string, zone: string, fromIso: string, count: number): DateTime[] {
  let at = new Date(fromIso);
  const out: DateTime[] = [];
  for (let i = 0; i < count; i++) {
    at = nextRegularRun(medium, id, zone, at);
    out.push(DateTime.fromJSDate(at, { zone }));
  }
  return out;
}

describe('console media: 4 times a day in the org zone', () => {
  const id = '6500000000000000000000aa';
  const offset = accountOffsetSeconds(id, 3600);

  it('runs at 07, 11, 15, 19 local time plus the account offset in Asia/Tokyo', () => {
    const r = runs('bizreach', id, 'Asia/Tokyo', '2026-11-23T00:00:00+09:00', 8);
    expect(r.map((d) => d.hour)).toEqual([...CONSOLE_HOURS, ...CONSOLE_HOURS]);
    for (const d of r) expect(d.minute * 60 + d.second).toBe(offset);
    expect(r[4].toISODate()).toBe('2026-11-24');
  });

  it('keeps the local hours across a DST change in America/New_York (fake clock)', () => {
    // DST ends on 2026-11-01 at 02:00 local (EDT → EST); begins on 2026-03-08.
    for (const from of ['2026-10-31T00:00:00-04:00', '2026-03-07T00:00:00-05:00']) {
      const r = runs('bizreach', id, 'America/New_York', from, 12);
      expect(r.map((d) => d.hour)).toEqual([...CONSOLE_HOURS, ...CONSOLE_HOURS, ...CONSOLE_HOURS]);
      for (const d of r) expect(d.minute * 60 + d.second).toBe(offset);
      // 3 local days, 4 runs each, no day skipped or doubled
      expect(new Set(r.map((d) => d.toISODate())).size).toBe(3);
      // in UTC: 4 h between runs of a day; overnight 12 h, except 13 h (fall back) or 11 h (spring forward)
      const gaps = r.slice(1).map((d, i) => (d.toMillis() - r[i].toMillis()) / 3600_000);
      expect(gaps.filter((g) => g === 4)).toHaveLength(9);
      const overnight = gaps.filter((g) => g !== 4).sort();
      expect(overnight).toEqual(from.startsWith('2026-10') ? [12, 13] : [11, 12]);
    }
  });

  it('spreads thousands of accounts over the hour', () => {
    const minutes = new Set<number>();
    for (let i = 0; i < 2000; i++) minutes.add(Math.floor(accountOffsetSeconds(`acc-${i}`, 3600) / 60));
    expect(minutes.size).toBeGreaterThan(55);
  });
});

describe('wantedly: every 5 minutes', () => {
  it('is periodic with the account offset', () => {
    const id = 'wantedly-account-1';
    const r = runs('wantedly', id, 'Asia/Tokyo', '2026-11-23T00:00:00Z', 6);
    for (let i = 1; i < r.length; i++) expect(r[i].toMillis() - r[i - 1].toMillis()).toBe(WANTEDLY_PERIOD_S * 1000);
    expect(((r[0].toSeconds() % WANTEDLY_PERIOD_S) + WANTEDLY_PERIOD_S) % WANTEDLY_PERIOD_S).toBe(
      accountOffsetSeconds(id, WANTEDLY_PERIOD_S),
    );
  });
});

describe('backoff', () => {
  it('doubles from 2 minutes and is capped at 2 hours; Retry-After wins when longer', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([120_000, 240_000, 480_000, 960_000]);
    expect(backoffMs(20)).toBe(2 * 3600_000);
    const now = new Date('2026-11-23T00:00:00Z');
    expect(nextRunAfter('wantedly', 'a', 'Asia/Tokyo', now, { consecutiveFailures: 1, retryAfterMs: 3600_000 }).getTime()).toBe(
      now.getTime() + 3600_000,
    );
    expect(nextRunAfter('wantedly', 'a', 'Asia/Tokyo', now, { consecutiveFailures: 1 }).getTime()).toBe(now.getTime() + 120_000);
  });
});

describe('the schedule clock of a simulated day (SCHEDULE_TIME_SCALE)', () => {
  const origin = '2026-12-03T00:00:00.000Z';
  it('is the identity at scale 1', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const f = (t: Date) => new Date(t.getTime() + 300_000);
    expect(onScheduleClock({ SCHEDULE_TIME_SCALE: 1 }, now, f)).toEqual(f(now));
  });
  it('computes on a clock running N times faster and shortens the wait by N', () => {
    // 10 real seconds after the origin are 2 simulated hours at 720×
    const now = new Date(Date.parse(origin) + 10_000);
    let seen: Date | undefined;
    const at = onScheduleClock({ SCHEDULE_TIME_SCALE: 720, SCHEDULE_TIME_ORIGIN: origin }, now, (sim) => {
      seen = sim;
      return new Date(sim.getTime() + 5 * 60_000); // five simulated minutes later
    });
    expect(seen?.toISOString()).toBe('2026-12-03T02:00:00.000Z');
    expect(Math.abs(at.getTime() - now.getTime() - 300_000 / 720)).toBeLessThan(1); // ms resolution
  });
});
