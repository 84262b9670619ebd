/** The MongoDB filter of the candidates an actor may see; mirrors `decide(…, 'candidates.view')`. */
import { ObjectId, type Filter } from 'mongodb';
import type { CandidateDoc } from '../storage/types';
import type { Actor } from './permissions';

export function visibleCandidateFilter(actor: Actor): Filter<CandidateDoc> {
  if (actor.deactivated) return { teamId: actor.teamId, _id: { $in: [] } };
  if (actor.orgRole === 'org_admin') return { teamId: actor.teamId };
  if (actor.orgRole === 'limited') return { teamId: actor.teamId, assignees: actor.userId };
  const jobs = [...actor.jobAdminOf, ...actor.jobMemberOf].map((id) => new ObjectId(id));
  return { teamId: actor.teamId, $or: [{ jobId: { $in: jobs } }, { assignees: actor.userId }] };
}
