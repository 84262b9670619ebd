/**
 * Agenda on the app's MongoDB, with the worker settings that avoid
 * Agenda's known traps: a lock lifetime with `touch()` in long runs, a lock limit so one instance
 * does not grab every job, unique keys so restarts do not add copies, and `drain()` (not `stop()`)
 * on shutdown so running jobs finish instead of being freed mid-run.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';

export const AGENDA_COLLECTION = 'agendaJobs';

export interface AgendaOptions {
  name: string;
  processEveryMs?: number;
  maxConcurrency?: number;
  lockLimit?: number;
  lockLifetimeMs?: number;
}

export function createAgenda(db: Db, opts: AgendaOptions): Agenda {
  return new Agenda({
    backend: new MongoBackend({ mongo: db, collection: AGENDA_COLLECTION }),
    name: opts.name,
    processEvery: opts.processEveryMs ?? 500,
    maxConcurrency: opts.maxConcurrency ?? 20,
    lockLimit: opts.lockLimit ?? 100,
    defaultLockLimit: 10,
    defaultLockLifetime: opts.lockLifetimeMs ?? 5 * 60_000,
  });
}

/**
 * The Agenda collection's own indexes: one card poster per team+job, even when two routings wake it
 * at the same moment (src/jobs/card-jobs.ts); an account's jobs by account. Created at start-up,
 * before any wake-up (idempotent).
 */
export async function ensureAgendaIndexes(db: Db): Promise<void> {
  await db.collection(AGENDA_COLLECTION).createIndexes([
    { key: { name: 1, 'data.uniqueKey': 1 }, name: 'card_post_unique', unique: true, partialFilterExpression: { name: 'card-post' } },
    // the account's jobs: the unique upsert of a schedule, disable, cancel and the next-run look-up
    // all name the account (without it each was a scan of every job)
    { key: { 'data.accountId': 1, name: 1 }, name: 'account_jobs' },
  ]);
}

/** Runs `fn` while touching the job's lock every `everyMs`, so a long run is not started twice. */
export async function withLockTouch<T>(job: Job<unknown>, everyMs: number, fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    job.touch().catch(() => undefined);
  }, everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

export type { Agenda, Job };

/** Agenda emits 'error' (e.g. the database unreachable while polling): log it; an EventEmitter
 * 'error' without a listener would throw and end the process. */
export function logAgendaErrors(agenda: Agenda, logger: Logger) {
  agenda.on('error', (err) => logger.error({ err }, 'agenda error'));
}
