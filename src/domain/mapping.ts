/**
 * Posting → job mapping: per-posting choices and rules (medium + posting name, exact or contains).
 * Precedence lives in mapping-rules.ts (posting choice > exact > contains > longest > oldest).
 * Every change routes the candidates that were waiting unmapped (routing.ts) and says how many
 * moved. Org admins map anything; job admins only onto (and away from) their own jobs.
 */
import { ObjectId } from 'mongodb';
import type { Deps } from './deps';
import type { Medium } from '../vocabulary';
import { MEDIA } from '../vocabulary';
import type { MappingRuleDoc, PostingDoc } from '../storage/types';
import { isDuplicateKey } from '../storage/db';
import type { Actor } from './permissions';
import { effectiveJob } from './mapping-rules';
import { authorize } from './access';
import { audit } from './audit';
import { NotFoundError, ValidationError } from './errors';
import { routePostings } from './routing';
import { typedName } from './typed-text';

export interface ResolvedPosting extends PostingDoc {
  effectiveJobId: ObjectId | null;
  source: 'posting' | 'rule' | null;
}

export async function resolvePostingJobs(deps: Deps, teamId: string, medium?: Medium): Promise<ResolvedPosting[]> {
  const [postings, rules] = await Promise.all([
    deps.store.postings
      .find({ teamId, ...(medium ? { medium } : {}) })
      .sort({ medium: 1, accountLabel: 1, title: 1 })
      .toArray(),
    deps.store.mappingRules.find({ teamId, ...(medium ? { medium } : {}) }).toArray(),
  ]);
  return postings.map((p) => {
    const e = effectiveJob<ObjectId, MappingRuleDoc>(p, rules);
    return { ...p, effectiveJobId: e.jobId, source: e.source };
  });
}

/** How many postings (of a medium) no choice and no rule maps to a job. */
export async function countUnmappedPostings(deps: Deps, teamId: string, medium?: Medium): Promise<number> {
  return (await resolvePostingJobs(deps, teamId, medium)).filter((p) => !p.effectiveJobId).length;
}

const oid = (id: string, key: string) => {
  if (!/^[a-f0-9]{24}$/.test(id)) throw new NotFoundError(key);
  return new ObjectId(id);
};

export interface MappingResult {
  moved: number;
  jobName?: string;
  /** Candidates of the postings whose job changed who were already in another job: they stay there
   *  (their cards are in that job's channel); only waiting and new candidates follow the mapping. */
  stayed?: number;
}

/** How many candidates of these postings are already in a job other than `target`. */
async function countStaying(
  deps: Deps,
  teamId: string,
  postings: { medium: Medium; externalId: string }[],
  target: ObjectId | null,
): Promise<number> {
  if (postings.length === 0) return 0;
  return deps.store.candidates.countDocuments({
    teamId,
    $or: postings.map((p) => ({ medium: p.medium, postingExternalId: p.externalId })),
    jobId: target ? { $nin: [null, target] } : { $ne: null },
  });
}

async function jobOf(deps: Deps, teamId: string, jobId: string) {
  const job = await deps.store.jobs.findOne({ teamId, _id: oid(jobId, 'jobs.notFound') });
  if (!job) throw new NotFoundError('jobs.notFound');
  return job;
}

/** A posting's own choice (null = no choice, rules apply again). */
export async function setPostingJob(deps: Deps, actor: Actor, postingId: string, jobId: string | null): Promise<MappingResult> {
  const teamId = actor.teamId;
  const posting = await deps.store.postings.findOne({ teamId, _id: oid(postingId, 'mapping.postingNotFound') });
  if (!posting) throw new NotFoundError('mapping.postingNotFound');
  const job = jobId ? await jobOf(deps, teamId, jobId) : null;
  const detail = { postingId, medium: posting.medium };
  const rules = await deps.store.mappingRules.find({ teamId, medium: posting.medium }).toArray();
  // taking a posting away from the job it goes to now (its own choice or a rule) needs rights on that job too
  const current = effectiveJob<ObjectId, MappingRuleDoc>(posting, rules).jobId;
  if (current && String(current) !== String(job?._id)) await authorize(deps, actor, 'mapping.edit', { jobId: current }, detail);
  if (job) await authorize(deps, actor, 'mapping.edit', { jobId: job._id }, detail);
  if (!job && !current) await authorize(deps, actor, 'mapping.edit', { jobId: null }, detail);
  const updated = await deps.store.postings.findOneAndUpdate(
    { teamId, _id: posting._id },
    { $set: { jobId: job?._id ?? null } },
    { returnDocument: 'after' },
  );
  await audit(deps, { teamId, actorId: actor.userId, action: 'mapping.edit', allowed: true, target: { ...detail, jobId: jobId ?? null } });
  const moved = await routePostings(deps, teamId, [updated ?? posting], rules);
  const total = [...moved.values()].reduce((a, b) => a + b, 0);
  const target = effectiveJob<ObjectId, MappingRuleDoc>(updated ?? posting, rules).jobId;
  const name = target
    ? String(target) === String(job?._id)
      ? job?.name
      : (await deps.store.jobs.findOne({ teamId, _id: target }))?.name
    : undefined;
  const stayed = String(current) === String(target) ? 0 : await countStaying(deps, teamId, [posting], target);
  return { moved: total, jobName: name, stayed };
}

export interface RuleInput {
  medium: string;
  pattern: string;
  match: string;
  jobId: string;
  /** The view id of the modal it was submitted from: a replayed submission adds nothing. */
  requestId?: string;
}

export async function addRule(deps: Deps, actor: Actor, input: RuleInput): Promise<MappingResult & { rule: MappingRuleDoc }> {
  const teamId = actor.teamId;
  const errors: ValidationError['fields'] = {};
  const typed = typedName(input.pattern, 200);
  const pattern = typed.ok ? typed.value : '';
  if (!(MEDIA as readonly string[]).includes(input.medium)) errors.medium = { key: 'link.errors.required' };
  if (!typed.ok) errors.pattern = typed.error;
  if (input.match !== 'exact' && input.match !== 'contains') errors.match = { key: 'link.errors.required' };
  if (!/^[a-f0-9]{24}$/.test(input.jobId)) errors.job = { key: 'link.errors.required' };
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const job = await jobOf(deps, teamId, input.jobId);
  const detail = { medium: input.medium, pattern: pattern.slice(0, 100) };
  await authorize(deps, actor, 'mapping.edit', { jobId: job._id }, detail);
  const replayed = async () => {
    const done = input.requestId ? await deps.store.mappingRules.findOne({ teamId, requestId: input.requestId }) : null;
    return done && { moved: 0, jobName: job.name, rule: done, stayed: 0 };
  };
  const replay = await replayed();
  if (replay) return replay;
  const rule: MappingRuleDoc = {
    _id: new ObjectId(),
    teamId,
    medium: input.medium as Medium,
    pattern,
    match: input.match as 'exact' | 'contains',
    jobId: job._id!,
    createdBy: actor.userId,
    createdAt: deps.clock(),
    ...(input.requestId ? { requestId: input.requestId } : {}),
  };
  // a rule that beats the rules in place takes postings from the jobs they go to now: that needs
  // rights on each of those jobs too, as taking one posting away does (setPostingJob)
  const [postings, rules] = await Promise.all([
    deps.store.postings.find({ teamId, medium: rule.medium, jobId: null }).toArray(),
    deps.store.mappingRules.find({ teamId, medium: rule.medium }).toArray(),
  ]);
  const losing = new Map<string, ObjectId>();
  const taken: PostingDoc[] = [];
  for (const p of postings) {
    const before = effectiveJob<ObjectId, MappingRuleDoc>(p, rules).jobId;
    const after = effectiveJob<ObjectId, MappingRuleDoc>(p, [...rules, rule]).jobId;
    if (before && String(before) !== String(after)) {
      losing.set(String(before), before);
      taken.push(p);
    }
  }
  for (const jobId of losing.values()) await authorize(deps, actor, 'mapping.edit', { jobId }, detail);
  try {
    await deps.store.mappingRules.insertOne(rule);
  } catch (err) {
    // the same submission, concurrently: the other one added the rule
    const again = isDuplicateKey(err) ? await replayed() : null;
    if (!again) throw err;
    return again;
  }
  await audit(deps, {
    teamId,
    actorId: actor.userId,
    action: 'mapping.rule.add',
    allowed: true,
    target: { ruleId: String(rule._id), jobId: String(job._id), medium: rule.medium },
  });
  const moved = await routeMedium(deps, teamId, rule.medium);
  return { moved: moved.get(String(job._id)) ?? 0, jobName: job.name, rule, stayed: await countStaying(deps, teamId, taken, job._id!) };
}

export async function deleteRule(deps: Deps, actor: Actor, ruleId: string): Promise<void> {
  const teamId = actor.teamId;
  const rule = await deps.store.mappingRules.findOne({ teamId, _id: oid(ruleId, 'mapping.ruleNotFound') });
  if (!rule) throw new NotFoundError('mapping.ruleNotFound');
  await authorize(deps, actor, 'mapping.edit', { jobId: rule.jobId }, { ruleId });
  await deps.store.mappingRules.deleteOne({ teamId, _id: rule._id });
  await audit(deps, {
    teamId,
    actorId: actor.userId,
    action: 'mapping.rule.delete',
    allowed: true,
    target: { ruleId, jobId: String(rule.jobId) },
  });
}

/** Routes the waiting candidates of every posting of a medium (after a rule change). */
export async function routeMedium(
  deps: Deps,
  teamId: string,
  medium: Medium,
  opts: { enqueue?: boolean } = {},
): Promise<Map<string, number>> {
  const [postings, rules] = await Promise.all([
    deps.store.postings.find({ teamId, medium }).toArray(),
    deps.store.mappingRules.find({ teamId, medium }).toArray(),
  ]);
  return routePostings(deps, teamId, postings, rules, opts);
}

export interface MappingOverview {
  postings: (ResolvedPosting & { candidates: number; waiting: number; jobName?: string })[];
  rules: (MappingRuleDoc & { jobName: string })[];
  total: number;
  unmapped: number;
}

/** Postings (a page, grouped by medium and account) with their effective job, and every rule. */
export async function mappingOverview(deps: Deps, actor: Actor, page = 0, pageSize = 30): Promise<MappingOverview> {
  await authorize(deps, actor, 'mapping.view');
  const teamId = actor.teamId;
  const all = await resolvePostingJobs(deps, teamId);
  const slice = all.slice(page * pageSize, page * pageSize + pageSize);
  const [counts, rules, jobs] = await Promise.all([
    // (MongoDB refuses an empty $or: a page without postings has no counts to ask for)
    slice.length === 0
      ? []
      : deps.store.candidates
          .aggregate<{ _id: { m: string; p: string }; n: number; waiting: number }>([
            { $match: { teamId, $or: slice.map((p) => ({ medium: p.medium, postingExternalId: p.externalId })) } },
            {
              $group: {
                _id: { m: '$medium', p: '$postingExternalId' },
                n: { $sum: 1 },
                waiting: { $sum: { $cond: [{ $eq: ['$jobId', null] }, 1, 0] } },
              },
            },
          ])
          .toArray(),
    deps.store.mappingRules.find({ teamId }).sort({ medium: 1, createdAt: 1 }).limit(60).toArray(),
    deps.store.jobs.find({ teamId }, { projection: { name: 1 } }).toArray(),
  ]);
  const names = new Map(jobs.map((j) => [String(j._id), j.name]));
  const count = new Map(counts.map((c) => [`${c._id.m}:${c._id.p}`, c]));
  return {
    total: all.length,
    unmapped: all.filter((p) => !p.effectiveJobId).length,
    postings: slice.map((p) => ({
      ...p,
      candidates: count.get(`${p.medium}:${p.externalId}`)?.n ?? 0,
      waiting: count.get(`${p.medium}:${p.externalId}`)?.waiting ?? 0,
      jobName: p.effectiveJobId ? names.get(String(p.effectiveJobId)) : undefined,
    })),
    rules: rules.map((r) => ({ ...r, jobName: names.get(String(r.jobId)) ?? '?' })),
  };
}
