/**
 * Finding candidates and showing their details, only to people allowed to see them
 * (visibleCandidateFilter mirrors decide('candidates.view'); the details re-check with authorize).
 */
import { ObjectId, type Filter } from 'mongodb';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import { decide } from './permissions';
import type { CandidateDoc } from '../storage/types';
import type { Medium } from '../vocabulary';
import { visibleCandidateFilter } from './candidate-access';
import { authorize } from './access';
import { candidateSummary, getCandidate, type CandidateSummary } from './cards';
import { escapeRegExp, searchKey } from '../text';
import { getOrg } from './orgs';

/** The details modal's facts (views/candidate.ts detailsModal). */
export interface CandidateDetails extends CandidateSummary {
  job: string | null;
  links: { label: string; url: string }[];
  history: { at: Date; medium: Medium; account: string }[];
  canChangeStage: boolean;
  /** An org admin may erase the candidate (privacy on request). */
  canErase: boolean;
}

/**
 * Candidates the actor may see whose name (or id, or the medium's id) matches the query. Names are
 * compared through searchKey (NFKC, lower case, no spaces): 山田太郎 finds 山田 太郎, Yamada finds
 * Ｙａｍａｄａ, ヤマダ finds ﾔﾏﾀﾞ. The query is a literal substring (escaped, anchored nowhere).
 */
export async function searchCandidates(deps: Deps, actor: Actor, query: string, limit = 20): Promise<CandidateDoc[]> {
  const q = query.trim().slice(0, 100);
  if (!q) return [];
  // NFKC may lengthen the text (㍿ → 株式会社): the cap holds for the key too (by code point)
  const key = Array.from(searchKey(q)).slice(0, 100).join('');
  const or: Record<string, unknown>[] = [
    // a candidate stored before searchKey existed, until the start-up backfill reaches it: the raw name
    { searchKey: { $exists: false }, name: { $regex: escapeRegExp(q).replace(/\s+/g, '\\s*'), $options: 'i' } },
    { externalId: q },
  ];
  if (key) or.unshift({ searchKey: { $regex: escapeRegExp(key) } });
  if (/^[a-f0-9]{24}$/.test(q)) or.push({ _id: new ObjectId(q) });
  const filter: Filter<CandidateDoc> = { $and: [visibleCandidateFilter(actor), { erasedAt: { $exists: false } }, { $or: or }] };
  return deps.store.candidates.find(filter).sort({ appliedAt: -1 }).limit(limit).toArray();
}

export async function candidateDetails(deps: Deps, actor: Actor, id: string): Promise<CandidateDetails> {
  const c = await getCandidate(deps, actor.teamId, id);
  await authorize(deps, actor, 'candidates.view', { candidate: { jobId: c.jobId, assignees: c.assignees } }, { candidateId: id });
  const [org, job] = await Promise.all([
    getOrg(deps, actor.teamId),
    c.jobId ? deps.store.jobs.findOne({ teamId: actor.teamId, _id: c.jobId }) : Promise.resolve(null),
  ]);
  return {
    ...candidateSummary(c, org.zone),
    job: job?.name ?? null,
    links: c.links,
    history: c.importHistory.map((h) => ({ at: h.at, medium: c.medium, account: h.accountLabel })),
    canChangeStage: decide(actor, 'candidates.comment', { candidate: { jobId: c.jobId, assignees: c.assignees } }).allowed,
    canErase: decide(actor, 'candidates.erase').allowed,
  };
}
