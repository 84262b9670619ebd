/**
 * The per-account Agenda jobs. Four names so concurrency is bounded per kind: API media (Wantedly)
 * and browser media (the consoles) for the credentials check and for imports. Each job is unique
 * per account (restarts and retries never add a copy); a processor that must run again sets its
 * own `nextRunAt` (Agenda saves it when the run ends, so nothing else may overwrite it).
 */
import type { Agenda, Job } from 'agenda';
import type { Medium } from '../../connectors/types';
import type { AccountJobs, Deps } from '../domain/deps';
import { checkCredentials } from '../domain/accounts';
import { withLockTouch } from './agenda';

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

export function agendaAccountJobs(agenda: Agenda): AccountJobs {
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
  };
}

export function defineAccountJobs(agenda: Agenda, deps: Deps) {
  const lockLifetime = 5 * 60_000;
  const auth = async (job: Job<AccountJobData>) => {
    const { teamId, accountId } = job.attrs.data;
    const outcome = await withLockTouch(job, 30_000, () => checkCredentials(deps, teamId, accountId));
    if (outcome.state === 'system_error') job.attrs.nextRunAt = outcome.retryAt;
  };
  agenda.define(JOB.authApi, auth, { concurrency: deps.config.IMPORT_API_CONCURRENCY, lockLifetime, lockLimit: deps.config.IMPORT_API_CONCURRENCY * 2 });
  agenda.define(JOB.authBrowser, auth, { concurrency: deps.config.IMPORT_BROWSER_CONCURRENCY, lockLifetime, lockLimit: deps.config.IMPORT_BROWSER_CONCURRENCY * 2 });
}
