/**
 * The daily privacy job: the retention setting (erase candidates closed more than N months ago)
 * and the purge of orgs uninstalled more than the grace period ago (src/domain/privacy.ts,
 * src/domain/org-purge.ts). One repeating Agenda job by name, at a fixed time of day (a cron
 * expression, so a restart does not push the next run back); Agenda's lock runs it on one instance
 * at a time, and both steps are idempotent should two ever run at once.
 */
import type { Agenda } from 'agenda';
import type { Deps } from '../domain/deps';
import { runRetention } from '../domain/privacy';
import { purgeDueOrgs } from '../domain/org-purge';
import { withLockTouch } from './agenda';

export const PRIVACY_JOB = 'privacy-daily';
/** Every day at 03:30 UTC (12:30 in Japan). */
export const PRIVACY_SCHEDULE = '30 3 * * *';

/** One run: retention, then the purge; `now` from the deps' clock. */
export async function runPrivacyDaily(deps: Deps): Promise<{ erased: number; purged: string[] }> {
  const { erased } = await runRetention(deps);
  const purged = await purgeDueOrgs(deps);
  return { erased, purged };
}

export function definePrivacyJobs(agenda: Agenda, deps: Deps) {
  agenda.define(
    PRIVACY_JOB,
    async (job) => {
      await withLockTouch(job, 60_000, () => runPrivacyDaily(deps));
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
}

export async function schedulePrivacyJob(agenda: Agenda) {
  await agenda.every(PRIVACY_SCHEDULE, PRIVACY_JOB, undefined, { timezone: 'UTC', skipImmediate: true });
}
