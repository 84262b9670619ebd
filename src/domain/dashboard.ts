/** What the App Home shows to one person, respecting what they may see. */
import { formatTime } from '../time-format';
import type { Deps } from './deps';
import { decide, displayRole, type Actor } from './permissions';
import type { DashboardData } from '../../views/home';
import type { T } from '../i18n';
import { getOrg } from './orgs';
import { listAccountViews } from './accounts-view';
import { visibleCandidateFilter } from './candidate-access';
import { countUnmappedPostings } from './mapping';

export async function loadDashboard(deps: Deps, actor: Actor, t: T): Promise<DashboardData> {
  const org = await getOrg(deps, actor.teamId);
  const canSeeAccounts = decide(actor, 'accounts.view').allowed;
  const canSeeMapping = decide(actor, 'mapping.view').allowed;
  const [accounts, unmapped, jobs] = await Promise.all([
    canSeeAccounts ? listAccountViews(deps, actor.teamId, org.zone, t) : Promise.resolve(null),
    canSeeMapping ? countUnmappedPostings(deps, actor.teamId) : Promise.resolve(null),
    deps.store.jobs.find({ teamId: actor.teamId }).sort({ name: 1 }).limit(20).toArray(),
  ]);
  // the latest 5 visible candidates of each job, the jobs queried side by side
  const visible = visibleCandidateFilter(actor);
  const latest = await Promise.all(
    jobs.map((job) => deps.store.candidates.find({ ...visible, jobId: job._id! }, { projection: { name: 1, medium: 1, appliedAt: 1 } }).sort({ appliedAt: -1 }).limit(5).toArray()),
  );
  const recent: DashboardData['recent'] = [];
  for (const [i, job] of jobs.entries()) {
    const candidates = latest[i];
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

