/**
 * Who is told what about imports (the notifier renders and sends, each in their language, by DM):
 * - a run that brought new candidates → org admins, job admins and job members (never limited
 *   access): one message per run with the counts (a notice reaching nobody is told again by the
 *   next run, under the same run id, see tellUntold in imports.ts), and after an account's first import, the
 *   request to map its unmapped postings;
 * - an auth failure or a system error → org admins, once per streak; recovery → org admins.
 */
import type { Deps } from './deps';
import type { MediaAccountDoc, RunSummary } from '../storage/types';
import { orgAdmins } from './members';
import { getOrg } from './orgs';
import { countUnmappedPostings } from './mapping';

/** Everyone an import notice goes to: org admins, job admins and job members; never limited access. */
export async function importAudience(deps: Deps, teamId: string): Promise<string[]> {
  const [members, jobs] = await Promise.all([
    deps.store.members.find({ teamId }, { projection: { userId: 1, orgRole: 1 } }).toArray(),
    deps.store.jobs.find({ teamId }, { projection: { admins: 1, members: 1 } }).toArray(),
  ]);
  const limited = new Set(members.filter((m) => m.orgRole === 'limited').map((m) => m.userId));
  const people = new Set<string>(members.filter((m) => m.orgRole === 'org_admin').map((m) => m.userId));
  for (const j of jobs) for (const u of [...j.admins, ...j.members]) people.add(u);
  return [...people].filter((u) => !limited.has(u));
}

export async function notifyRunFinished(
  deps: Deps,
  account: MediaAccountDoc,
  run: RunSummary,
  opts: { firstImport: boolean; hasMore: boolean; takeover?: boolean },
): Promise<'told' | 'nothing' | 'nobody'> {
  let unmapped = 0;
  if (opts.firstImport) {
    unmapped = await countUnmappedPostings(deps, account.teamId, account.medium);
  }
  if (run.created === 0 && unmapped === 0) return 'nothing';
  const audience = await importAudience(deps, account.teamId);
  if (!audience.length) return 'nothing'; // nobody to tell: not retried
  const sent = await deps.notifier.importFinished(account.teamId, audience, {
    runId: run.runId,
    takeover: opts.takeover ?? false,
    medium: account.medium,
    label: account.label,
    run: { created: run.created, fetched: run.fetched, duplicates: run.duplicates, skippedMeetups: run.skippedMeetups },
    hasMore: opts.hasMore,
    unmapped,
  });
  return sent > 0 ? 'told' : 'nobody';
}

export async function notifyRunFailure(deps: Deps, account: MediaAccountDoc, runId: string, reason: string, nextRunAt: Date | null) {
  const [org, admins] = await Promise.all([getOrg(deps, account.teamId), orgAdmins(deps, account.teamId)]);
  await deps.notifier.importFailed(account.teamId, admins, {
    runId,
    medium: account.medium,
    label: account.label,
    reason,
    nextRunAt,
    zone: org.zone,
  });
}

export async function notifyRecovered(deps: Deps, account: MediaAccountDoc) {
  const admins = await orgAdmins(deps, account.teamId);
  await deps.notifier.importRecovered(account.teamId, admins, { medium: account.medium, label: account.label });
}
