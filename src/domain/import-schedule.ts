/**
 * When an account's next import runs, computed with luxon in the org's zone (pure, testable with a
 * fake clock). Wantedly: every 5 minutes. The console media: 4 times a day at 07, 11, 15 and 19
 * o'clock local time (the working-hours rhythm HERP and RoboRobo use). Each account has its own
 * offset inside the period (a hash of its id), so thousands of accounts do not start together.
 * After consecutive system errors the next run backs off exponentially.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Medium } from '../vocabulary';

export const WANTEDLY_PERIOD_S = 300;
export const CONSOLE_HOURS = [7, 11, 15, 19] as const;
export const CONSOLE_SPREAD_S = 3600;

export function accountOffsetSeconds(accountId: string, window: number): number {
  const h = createHash('sha256').update(accountId).digest();
  return h.readUInt32BE(0) % window;
}

/** The first regular run strictly after `after`. */
export function nextRegularRun(medium: Medium, accountId: string, zone: string, after: Date): Date {
  if (medium === 'wantedly') {
    const o = accountOffsetSeconds(accountId, WANTEDLY_PERIOD_S);
    const s = Math.floor(after.getTime() / 1000);
    const k = Math.floor((s - o) / WANTEDLY_PERIOD_S) + 1;
    return new Date((k * WANTEDLY_PERIOD_S + o) * 1000);
  }
  const o = accountOffsetSeconds(accountId, CONSOLE_SPREAD_S);
  const start = DateTime.fromJSDate(after, { zone }).startOf('day').minus({ days: 1 });
  for (let d = 0; d < 4; d++) {
    const day = start.plus({ days: d });
    for (const hour of CONSOLE_HOURS) {
      const at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour }, { zone }).plus({ seconds: o });
      if (at.toMillis() > after.getTime()) return at.toJSDate();
    }
  }
  throw new Error('no run found within four days');
}

export const BACKOFF_BASE_MS = 2 * 60_000;
export const BACKOFF_MAX_MS = 2 * 3600_000;

export function backoffMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** (consecutiveFailures - 1), BACKOFF_MAX_MS);
}

/** Next run after a run that ended at `now`: regular, or backed off after failures / a Retry-After. */
export function nextRunAfter(
  medium: Medium,
  accountId: string,
  zone: string,
  now: Date,
  opts: { consecutiveFailures?: number; retryAfterMs?: number } = {},
): Date {
  if (opts.consecutiveFailures && opts.consecutiveFailures > 0) {
    const wait = Math.max(backoffMs(opts.consecutiveFailures), opts.retryAfterMs ?? 0);
    return new Date(now.getTime() + wait);
  }
  return nextRegularRun(medium, accountId, zone, now);
}

/**
 * The fault trials' simulated day (test only, `SCHEDULE_TIME_SCALE`): the schedule is computed on a
 * clock that runs `factor` times faster than real time from `origin`, and the wait it gives is
 * shortened by the same factor. A whole day of import cycles, backoffs and Retry-Afters then runs
 * in 1/factor of a day, while leases, locks and time limits (real durations of real work) stay real.
 */
export interface ScheduleScale {
  SCHEDULE_TIME_SCALE: number;
  SCHEDULE_TIME_ORIGIN?: string;
}

/** `next(simNow)` on the schedule's clock, as a real instant. Identity at scale 1. */
export function onScheduleClock(scale: ScheduleScale, now: Date, next: (simNow: Date) => Date): Date {
  const factor = scale.SCHEDULE_TIME_SCALE;
  if (factor <= 1 || !scale.SCHEDULE_TIME_ORIGIN) return next(now);
  const origin = Date.parse(scale.SCHEDULE_TIME_ORIGIN);
  const sim = new Date(origin + (now.getTime() - origin) * factor);
  return new Date(now.getTime() + Math.max(0, next(sim).getTime() - sim.getTime()) / factor);
}
