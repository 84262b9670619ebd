/**
 * Media accounts as facts for the lists (`/ats accounts`, the App Home): the state to show (paused
 * is a state of its own there), the last run, the next import (from the job queue, through the
 * AccountJobs port) and the last error's reason code. The views format and translate.
 */
import type { Deps } from './deps';
import type { MediaAccountDoc, RunSummary } from '../storage/types';
import type { AccountState, Medium } from '../vocabulary';

export interface AccountStatus {
  id: string;
  medium: Medium;
  label: string;
  state: AccountState | 'paused';
  lastRun?: { at: Date; fetched: number; created: number; duplicates: number; meetups: number; outcome: RunSummary['outcome'] };
  /** The next import; none while paused or refused by the medium. */
  nextRun?: Date;
  /** A reason code (`auth:locked`, `service:timeout`). */
  lastError?: string;
}

export function accountStatus(a: Omit<MediaAccountDoc, 'credentials'>, next?: Date): AccountStatus {
  return {
    id: String(a._id),
    medium: a.medium,
    label: a.label,
    state: a.paused && (a.state === 'linked' || a.state === 'system_error') ? 'paused' : a.state,
    lastRun: a.lastRun && {
      at: a.lastRun.finishedAt ?? a.lastRun.startedAt,
      fetched: a.lastRun.fetched,
      created: a.lastRun.created,
      duplicates: a.lastRun.duplicates,
      meetups: a.lastRun.skippedMeetups,
      outcome: a.lastRun.outcome,
    },
    nextRun: a.paused || a.state === 'auth_failed' ? undefined : next,
    lastError: a.lastError?.reason,
  };
}

/** Every account of the org, by medium then age. */
export async function listAccounts(deps: Deps, teamId: string): Promise<AccountStatus[]> {
  const accounts = await deps.store.mediaAccounts
    .find({ teamId }, { projection: { credentials: 0 } })
    .sort({ medium: 1, createdAt: 1 })
    .toArray();
  const next = await deps.accountJobs.nextRuns(accounts.map((a) => String(a._id)));
  return accounts.map((a) => accountStatus(a, next.get(String(a._id))));
}
