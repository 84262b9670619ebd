/** Media accounts as the views show them: state, last run, next run in the org's zone, last error in words. */
import { formatMaybe as fmt } from '../time-format';
import type { Deps } from './deps';
import type { T } from '../i18n';
import type { AccountView } from '../../views/accounts';
import type { MediaAccountDoc } from '../storage/types';
import { AGENDA_COLLECTION } from '../jobs/agenda';


export function errorText(t: T, reason: string): string {
  if (reason.startsWith('auth:')) return t(`authReason.${reason.slice(5)}`);
  return t(`serviceReason.${reason.replace(/^service:/, '')}`);
}

export async function nextRunTimes(deps: Deps, accountIds: string[]): Promise<Map<string, Date>> {
  const jobs = await deps.store.db
    .collection(AGENDA_COLLECTION)
    .find({ 'data.accountId': { $in: accountIds }, disabled: { $ne: true }, nextRunAt: { $ne: null } }, { projection: { data: 1, nextRunAt: 1, name: 1 } })
    .toArray();
  const map = new Map<string, Date>();
  for (const j of jobs) {
    const id = String(j.data?.accountId);
    const at = j.nextRunAt as Date;
    const prev = map.get(id);
    if (!prev || at < prev) map.set(id, at);
  }
  return map;
}

export function toAccountView(t: T, a: MediaAccountDoc, zone: string, next?: Date): AccountView {
  return {
    id: String(a._id),
    medium: a.medium,
    label: a.label,
    state: a.paused && (a.state === 'linked' || a.state === 'system_error') ? 'paused' : a.state,
    lastRun: a.lastRun && {
      time: fmt(a.lastRun.finishedAt ?? a.lastRun.startedAt, zone)!,
      fetched: a.lastRun.fetched,
      created: a.lastRun.created,
      duplicates: a.lastRun.duplicates,
      meetups: a.lastRun.skippedMeetups,
      outcome: a.lastRun.outcome,
    },
    nextRun: a.paused || a.state === 'auth_failed' ? undefined : fmt(next, zone),
    lastError: a.lastError ? errorText(t, a.lastError.reason) : undefined,
  };
}

export async function listAccountViews(deps: Deps, teamId: string, zone: string, t: T): Promise<AccountView[]> {
  const accounts = await deps.store.mediaAccounts.find({ teamId }, { projection: { credentials: 0 } }).sort({ medium: 1, createdAt: 1 }).toArray();
  const next = await nextRunTimes(deps, accounts.map((a) => String(a._id)));
  return accounts.map((a) => toAccountView(t, a as MediaAccountDoc, zone, next.get(String(a._id))));
}
