/** Postings and their effective job (per-posting choice, else the best rule). */
import type { ObjectId } from 'mongodb';
import type { Deps } from './deps';
import type { PostingDoc } from '../storage/types';
import { effectiveJob } from './mapping-rules';

export interface ResolvedPosting extends PostingDoc {
  effectiveJobId: ObjectId | null;
  source: 'posting' | 'rule' | null;
  jobId: ObjectId | null;
}

export async function resolvePostingJobs(deps: Deps, teamId: string): Promise<(PostingDoc & { effectiveJobId: ObjectId | null; source: 'posting' | 'rule' | null })[]> {
  const [postings, rules] = await Promise.all([
    deps.store.postings.find({ teamId }).sort({ medium: 1, title: 1 }).toArray(),
    deps.store.mappingRules.find({ teamId }).toArray(),
  ]);
  return postings.map((p) => {
    const e = effectiveJob<ObjectId, (typeof rules)[number]>(p, rules);
    return { ...p, effectiveJobId: e.jobId, source: e.source };
  });
}
