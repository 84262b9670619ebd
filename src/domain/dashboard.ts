/** What the App Home shows to one person, respecting what they may see (facts; views/home.ts renders). */
import type { Deps } from './deps';
import { decide, displayRole, type Actor } from './permissions';
import type { DisplayRole, Medium } from '../vocabulary';
import { getOrg } from './orgs';
import { listAccounts, type AccountStatus } from './account-list';
import { visibleCandidateFilter } from './candidate-access';
import { countUnmappedPostings } from './mapping';

export interface Dashboard {
  role: DisplayRole;
  /** The org's zone, in which every time is shown. */
  zone: string;
  updatedAt: Date;
  /** null: not allowed to see them. */
  accounts: AccountStatus[] | null;
  canManageAccounts: boolean;
  /** null: not allowed to see the mapping. */
  unmappedCount: number | null;
  recent: { job: string; channelId: string; candidates: { name: string; medium: Medium; appliedAt: Date }[] }[];
}

export async function loadDashboard(deps: Deps, actor: Actor): Promise<Dashboard> {
  const org = await getOrg(deps, actor.teamId);
  const canSeeAccounts = decide(actor, 'accounts.view').allowed;
  const canSeeMapping = decide(actor, 'mapping.view').allowed;
  const [accounts, unmapped, jobs] = await Promise.all([
    canSeeAccounts ? listAccounts(deps, actor.teamId) : Promise.resolve(null),
    canSeeMapping ? countUnmappedPostings(deps, actor.teamId) : Promise.resolve(null),
    deps.store.jobs.find({ teamId: actor.teamId }).sort({ name: 1 }).limit(20).toArray(),
  ]);
  // the latest 5 visible candidates of each job, the jobs queried side by side
  const visible = visibleCandidateFilter(actor);
  const latest = await Promise.all(
    jobs.map((job) =>
      deps.store.candidates
        .find({ ...visible, jobId: job._id! }, { projection: { name: 1, medium: 1, appliedAt: 1 } })
        .sort({ appliedAt: -1 })
        .limit(5)
        .toArray(),
    ),
  );
  const recent: Dashboard['recent'] = [];
  for (const [i, job] of jobs.entries()) {
    const candidates = latest[i];
    if (candidates.length === 0) continue;
    recent.push({
      job: job.name,
      channelId: job.channelId,
      candidates: candidates.map((c) => ({ name: c.name, medium: c.medium, appliedAt: c.appliedAt })),
    });
  }
  return {
    role: displayRole(actor),
    zone: org.zone,
    updatedAt: deps.clock(),
    accounts,
    canManageAccounts: decide(actor, 'accounts.manage').allowed,
    unmappedCount: unmapped,
    recent,
  };
}
