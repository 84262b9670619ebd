/**
 * What people are told about imports, each in their language, by DM:
 * - a run that brought new candidates → org admins, job admins and job members (never limited
 *   access): one message per run with the counts, and after an account's first import, the
 *   request to map its unmapped postings (with a button to the mapping);
 * - an auth failure or a system error → org admins, once per streak; recovery → org admins.
 */
import type { Deps } from './deps';
import type { MediaAccountDoc, RunSummary } from '../storage/types';
import { dmUsers, importAudience } from './notify';
import { orgAdmins } from './members';
import { importFinishedMessage, importFailureMessage, importRecoveredMessage } from '../../views/import-notices';
import { getOrg } from './orgs';
import { countUnmappedPostings } from './mapping';
import { formatMaybe } from '../time-format';

export async function notifyRunFinished(deps: Deps, account: MediaAccountDoc, run: RunSummary, opts: { firstImport: boolean; hasMore: boolean }) {
  let unmapped = 0;
  if (opts.firstImport) {
    unmapped = await countUnmappedPostings(deps, account.teamId, account.medium);
  }
  if (run.created === 0 && unmapped === 0) return;
  const audience = await importAudience(deps, account.teamId);
  await dmUsers(deps, account.teamId, audience, (t) =>
    importFinishedMessage(t, { medium: account.medium, label: account.label, run, hasMore: opts.hasMore, unmapped }),
  );
}

export async function notifyRunFailure(deps: Deps, account: MediaAccountDoc, reason: string, nextRunAt: Date | null) {
  const org = await getOrg(deps, account.teamId);
  const admins = await orgAdmins(deps, account.teamId);
  await dmUsers(deps, account.teamId, admins, (t) =>
    importFailureMessage(t, { medium: account.medium, label: account.label, reason, next: formatMaybe(nextRunAt, org.zone) }),
  );
}

export async function notifyRecovered(deps: Deps, account: MediaAccountDoc) {
  const admins = await orgAdmins(deps, account.teamId);
  await dmUsers(deps, account.teamId, admins, (t) => importRecoveredMessage(t, { medium: account.medium, label: account.label }));
}
