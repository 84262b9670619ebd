/**
 * The per-account Agenda jobs. Four names so concurrency is bounded per kind: API media (Wantedly)
 * and browser media (the consoles) for the credentials check and for imports. Each job is unique
 * per account (restarts and retries never add a copy); a processor that must run again sets its
 * own `nextRunAt` (Agenda saves it when the run ends, so nothing else may overwrite it).
 */
import type { Agenda, Job } from 'agenda';
import type { Db } from 'mongodb';
import type { Medium } from '../vocabulary';
import type { AccountJobs, Deps } from '../domain/deps';
import { checkCredentials } from '../domain/accounts';
import { runImport, importLeaseMs } from '../domain/imports';
import { withLockTouch, AGENDA_COLLECTION } from './agenda';
import { getOrg } from '../domain/orgs';
import { nextRegularRun, onScheduleClock } from '../domain/import-schedule';

export const JOB = {
  authApi: 'auth-api',
  authBrowser: 'auth-browser',
  importApi: 'import-api',
  importBrowser: 'import-browser',
} as const;

export const IMPORT_JOBS = [JOB.importApi, JOB.importBrowser];
const isApi = (m: Medium) => m === 'wantedly';
const authJob = (m: Medium) => (isApi(m) ? JOB.authApi : JOB.authBrowser);
export const importJob = (m: Medium) => (isApi(m) ? JOB.importApi : JOB.importBrowser);

export interface AccountJobData {
  accountId: string;
  teamId: string;
}

/** `db`: where Agenda keeps its jobs (for the next-run look-up, one query for a whole list). */
export function agendaAccountJobs(agenda: Agenda, db: Db): AccountJobs {
  const upsert = async (name: string, a: { id: string; teamId: string }, at: Date) => {
    const job = agenda.create<AccountJobData>(name, { accountId: a.id, teamId: a.teamId });
    job.unique({ name, 'data.accountId': a.id });
    job.schedule(at);
    job.enable();
    await job.save();
  };
  return {
    checkAuth: (a, at) => upsert(authJob(a.medium), a, at ?? new Date()),
    scheduleImport: (a, at) => upsert(importJob(a.medium), a, at ?? new Date()),
    async disableImport(accountId) {
      await agenda.disable({ names: IMPORT_JOBS, data: { accountId } });
    },
    async removeAll(accountId) {
      await agenda.cancel({ data: { accountId } });
    },
    async nextRuns(accountIds) {
      const jobs = await db
        .collection(AGENDA_COLLECTION)
        .find(
          { 'data.accountId': { $in: accountIds }, disabled: { $ne: true }, nextRunAt: { $ne: null } },
          { projection: { data: 1, nextRunAt: 1 } },
        )
        .toArray();
      const next = new Map<string, Date>();
      for (const j of jobs) {
        const id = String(j.data?.accountId);
        const at = j.nextRunAt as Date;
        const prev = next.get(id);
        if (!prev || at < prev) next.set(id, at);
      }
      return next;
    },
  };
}

export function defineAccountJobs(agenda: Agenda, deps: Deps) {
  const lockLifetime = 5 * 60_000;
  const importLifetime = importLeaseMs(deps.config.IMPORT_RUN_TIMEOUT_MS);
  const auth = async (job: Job<AccountJobData>) => {
    const { teamId, accountId } = job.attrs.data;
    const outcome = await withLockTouch(job, 30_000, () => checkCredentials(deps, teamId, accountId));
    if (outcome.state === 'system_error') job.attrs.nextRunAt = outcome.retryAt;
  };
  const runOne = async (job: Job<AccountJobData>) => {
    const { teamId, accountId } = job.attrs.data;
    const result = await withLockTouch(job, Math.max(1_000, importLifetime / 3), () => runImport(deps, teamId, accountId));
    job.attrs.nextRunAt = result.nextRunAt;
  };
  agenda.define(JOB.importApi, runOne, {
    concurrency: deps.config.IMPORT_API_CONCURRENCY,
    lockLifetime: importLifetime,
    lockLimit: deps.config.IMPORT_API_CONCURRENCY * 8,
  });
  agenda.define(JOB.importBrowser, runOne, {
    concurrency: deps.config.IMPORT_BROWSER_CONCURRENCY,
    lockLifetime: importLifetime,
    lockLimit: deps.config.IMPORT_BROWSER_CONCURRENCY * 2,
  });
  agenda.define(JOB.authApi, auth, {
    concurrency: deps.config.IMPORT_API_CONCURRENCY,
    lockLifetime,
    lockLimit: deps.config.IMPORT_API_CONCURRENCY * 2,
  });
  agenda.define(JOB.authBrowser, auth, {
    concurrency: deps.config.IMPORT_BROWSER_CONCURRENCY,
    lockLifetime,
    lockLimit: deps.config.IMPORT_BROWSER_CONCURRENCY * 2,
  });
}

/**
 * Start-up reconciliation: every linked, unpaused account has exactly one import job and every
 * account being authenticated has its check queued. Unique keys make this idempotent, so a restart
 * loses no schedule and adds none.
 */
export async function reconcileAccountJobs(deps: Deps, agenda: Agenda): Promise<{ created: number }> {
  const jobs = deps.store.db.collection(AGENDA_COLLECTION);
  let created = 0;
  const cursor = deps.store.mediaAccounts.find(
    { state: { $in: ['linked', 'system_error', 'authenticating'] } },
    { projection: { teamId: 1, medium: 1, state: 1, paused: 1 } },
  );
  for await (const a of cursor) {
    const id = String(a._id);
    const ref = { id, teamId: a.teamId, medium: a.medium };
    if (a.state === 'authenticating') {
      if (!(await jobs.findOne({ name: authJob(a.medium), 'data.accountId': id }))) {
        await agendaAccountJobs(agenda, deps.store.db).checkAuth(ref);
        created++;
      }
      continue;
    }
    if (a.paused) continue;
    const existing = await jobs.findOne({ name: importJob(a.medium), 'data.accountId': id });
    if (!existing || (!existing.nextRunAt && !existing.lockedAt)) {
      const org = await getOrg(deps, a.teamId);
      await agendaAccountJobs(agenda, deps.store.db).scheduleImport(
        ref,
        onScheduleClock(deps.config, deps.clock(), (t) => nextRegularRun(a.medium, id, org.zone, t)),
      );
      created++;
    } else if (existing.disabled) {
      await agenda.enable({ id: String(existing._id) });
    }
  }
  return { created };
}
