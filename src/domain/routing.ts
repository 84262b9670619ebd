/**
 * Routing imported candidates to jobs. The import calls `routeImported` after it has stored a run's
 * candidates (jobId null) and upserted their postings; a mapping change calls `routePostings` for
 * the postings it affects. Both are idempotent: only candidates still waiting (jobId null) move,
 * with one updateMany per (job, medium) — never a round trip per candidate — and each moved
 * candidate gets a pending card that the card job (src/jobs/card-jobs.ts) posts once.
 */
import type { ObjectId } from 'mongodb';
import type { Medium } from '../vocabulary';
import type { Deps } from './deps';
import type { MappingRuleDoc, PostingDoc } from '../storage/types';
import { effectiveJob } from './mapping-rules';

export async function routeImported(deps: Deps, teamId: string, medium: Medium, postingExternalIds: string[]): Promise<void> {
  const ids = [...new Set(postingExternalIds)];
  if (ids.length === 0) return;
  const [postings, rules] = await Promise.all([
    deps.store.postings.find({ teamId, medium, externalId: { $in: ids } }).toArray(),
    deps.store.mappingRules.find({ teamId, medium }).toArray(),
  ]);
  await routePostings(deps, teamId, postings, rules);
}

/**
 * Moves the waiting candidates of `postings` to each posting's effective job. Returns how many
 * moved, per job id (hex). Jobs that no longer exist are skipped (their candidates keep waiting).
 */
export async function routePostings(
  deps: Deps,
  teamId: string,
  postings: PostingDoc[],
  rules: MappingRuleDoc[],
  opts: { enqueue?: boolean } = {},
): Promise<Map<string, number>> {
  const groups = new Map<string, { jobId: ObjectId; byMedium: Map<Medium, string[]> }>();
  for (const p of postings) {
    const { jobId } = effectiveJob<ObjectId, MappingRuleDoc>(p, rules);
    if (!jobId) continue;
    const key = String(jobId);
    const g = groups.get(key) ?? { jobId, byMedium: new Map() };
    const list = g.byMedium.get(p.medium) ?? [];
    list.push(p.externalId);
    g.byMedium.set(p.medium, list);
    groups.set(key, g);
  }
  const moved = new Map<string, number>();
  if (groups.size === 0) return moved;
  const existing = await deps.store.jobs
    .find({ teamId, _id: { $in: [...groups.values()].map((g) => g.jobId) } }, { projection: { _id: 1 } })
    .toArray();
  const live = new Set(existing.map((j) => String(j._id)));
  for (const [key, g] of groups) {
    if (!live.has(key)) continue;
    let n = 0;
    for (const [medium, externalIds] of g.byMedium) {
      const res = await deps.store.candidates.updateMany(
        { teamId, medium, postingExternalId: { $in: externalIds }, jobId: null },
        { $set: { jobId: g.jobId, card: { state: 'pending', jobId: g.jobId } } },
      );
      n += res.modifiedCount;
    }
    moved.set(key, n);
    if (n > 0 && opts.enqueue !== false) await deps.cardJobs.wake(teamId, key);
  }
  return moved;
}
