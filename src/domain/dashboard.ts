/** What the App Home shows to one person, respecting what they may see. */
import { formatTime } from './time';
import type { Deps } from './deps';
import { decide, displayRole, type Actor } from './permissions';
import type { DashboardData } from '../../views/home';
import type { T } from '../i18n';
import { getOrg } from './orgs';
import { listAccountViews } from './accounts-view';
import { visibleCandidateFilter } from './candidate-access';

export async function loadDashboard(deps: Deps, actor: Actor, t: T): Promise<DashboardData> {
  const org = await getOrg(deps, actor.teamId);
  const canSeeAccounts = decide(actor, 'accounts.view').allowed;
  const canSeeMapping = decide(actor, 'mapping.view').allowed;
  const [accounts, unmapped, jobs] = await Promise.all([
    canSeeAccounts ? listAccountViews(deps, actor.teamId, org.zone, t) : Promise.resolve(null),
    canSeeMapping ? countUnmappedPostings(deps, actor.teamId) : Promise.resolve(null),
    deps.store.jobs.find({ teamId: actor.teamId }).sort({ name: 1 }).limit(20).toArray(),
  ]);
  const recent: DashboardData['recent'] = [];
  for (const job of jobs) {
    const filter = { ...visibleCandidateFilter(actor), jobId: job._id! };
    const candidates = await deps.store.candidates.find(filter).sort({ appliedAt: -1 }).limit(5).toArray();
    if (candidates.length === 0) continue;
    recent.push({
      job: job.name,
      channelId: job.channelId,
      candidates: candidates.map((c) => ({
        name: c.name,
        medium: t(`media.${c.medium}`),
        appliedAt: formatTime(c.appliedAt, org.zone),
      })),
    });
  }
  return {
    role: t(`roles.${displayRole(actor)}`),
    zone: org.zone,
    updatedAt: formatTime(deps.clock(), org.zone),
    accounts,
    canManageAccounts: decide(actor, 'accounts.manage').allowed,
    unmappedCount: unmapped,
    recent,
  };
}

async function countUnmappedPostings(deps: Deps, teamId: string): Promise<number> {
  const { resolvePostingJobs } = await import('./mapping');
  const postings = await resolvePostingJobs(deps, teamId);
  return postings.filter((p) => !p.effectiveJobId).length;
}
