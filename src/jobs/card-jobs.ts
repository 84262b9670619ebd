/**
 * The Agenda side of candidate cards: one job per team+job (a unique key, so one poster per
 * channel) running the card delivery (src/notifier/cards/deliver.ts), woken through
 * `deps.cardJobs.wake` whenever candidates are routed or a posted card changes, and a one-minute
 * sweep as a safety net.
 */
import { ObjectId } from 'mongodb';
import type { Agenda, Job } from 'agenda';
import type { CardJobs, Deps } from '../domain/deps';
import type { CardDelivery } from '../notifier/cards/deliver';
import { AGENDA_COLLECTION, withLockTouch } from './agenda';
import { isDuplicateKey } from '../storage/db';

export const CARD_JOB = 'card-post';
export const CARD_SWEEP = 'card-sweep';

export interface CardJobData {
  teamId: string;
  jobId: string;
  uniqueKey: string;
}

/**
 * Wakes the poster of one job. Creates the unique Agenda job if absent (insertOnly: a running,
 * locked job is never unlocked by a re-save), and brings an idle job's next run forward.
 */
async function wake(
  agenda: Agenda,
  deps: Pick<Deps, 'store'>,
  teamId: string,
  jobId: string,
  opts: { at?: Date; onlyIfIdle?: boolean } = {},
) {
  const key = `${teamId}:${jobId}`;
  const when = opts.at ?? new Date();
  const job = agenda.create<CardJobData>(CARD_JOB, { teamId, jobId, uniqueKey: key });
  job.unique({ 'data.uniqueKey': key }, { insertOnly: true });
  job.schedule(when);
  try {
    await job.save();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a concurrent wake-up created it: the unique index keeps one poster
  }
  await deps.store.db.collection(AGENDA_COLLECTION).updateOne(
    {
      name: CARD_JOB,
      'data.uniqueKey': key,
      lockedAt: null,
      ...(opts.onlyIfIdle ? { nextRunAt: null } : { $or: [{ nextRunAt: null }, { nextRunAt: { $gt: when } }] }),
    },
    { $set: { nextRunAt: when } },
  );
}

export function agendaCardJobs(agenda: Agenda, deps: Pick<Deps, 'store'>): CardJobs {
  return {
    wake: (teamId, jobId, opts) => wake(agenda, deps, teamId, jobId, opts),
    async forget(teamId) {
      await deps.store.db.collection(AGENDA_COLLECTION).deleteMany({ name: CARD_JOB, 'data.teamId': teamId });
    },
  };
}

export function defineCardJobs(agenda: Agenda, deps: Deps, cards: CardDelivery) {
  agenda.define<CardJobData>(
    CARD_JOB,
    async (job: Job<CardJobData>) => {
      const { teamId, jobId } = job.attrs.data;
      const out = await withLockTouch(job, 10_000, () => cards.deliver(teamId, jobId));
      // more may have been routed while this run finished: run again soon rather than wait for the sweep
      const more = await deps.store.cards.hasWork(teamId, new ObjectId(jobId));
      job.attrs.nextRunAt = out.retryAt ?? (more ? new Date() : null);
    },
    { concurrency: 10, lockLifetime: 60_000, lockLimit: 20 },
  );
  // the sweep takes milliseconds: a lock left by a killed instance must not stop it for Agenda's default 5 minutes
  agenda.define(
    CARD_SWEEP,
    async () => {
      await sweep(deps);
    },
    { lockLifetime: 30_000 },
  );
}

/** Safety net: wakes the poster of every job with cards waiting but no run scheduled. */
export async function sweep(deps: Deps) {
  const teams = await deps.store.orgs.find({}, { projection: { _id: 1 } }).toArray();
  for (const { _id: teamId } of teams) {
    for (const jobId of await deps.store.cards.jobsWithWork(teamId)) await deps.cardJobs.wake(teamId, String(jobId), { onlyIfIdle: true });
  }
}

export async function scheduleCardSweep(agenda: Agenda) {
  await agenda.every('1 minute', CARD_SWEEP, undefined, { skipImmediate: false });
}
