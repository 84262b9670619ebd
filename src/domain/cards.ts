/**
 * Candidate cards: what a card shows (from the candidate, its job and the org's settings), who gets
 * a job's cards by DM or hears of its channel's problems, and the changes that must reach an
 * already posted card (stage, job) — those mark the card `dirty` and wake the card job, which
 * calls chat.update. Delivery itself is src/notifier/cards (run by src/jobs/card-jobs.ts).
 */
import { ObjectId } from 'mongodb';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { CandidateDoc, JobDoc, OrgDoc } from '../storage/types';
import { isClosedStage, type Medium, type Stage } from '../vocabulary';
import { authorize } from './access';
import { NotFoundError } from './errors';
import { audit } from './audit';
import { orgAdmins } from './members';

/** What every view of a candidate starts with; times are shown in `zone` (the org's). */
export interface CandidateSummary {
  id: string;
  name: string;
  medium: Medium;
  postingTitle: string;
  appliedAt: Date;
  age?: number;
  stage: Stage;
  zone: string;
}

/** What a card shows (views/candidate.ts cardMessage renders it). */
export interface CardFacts extends CandidateSummary {
  profileUrl?: string;
  /** The candidate's job now (null: none). */
  job: string | null;
  /** The card's channel belongs to this job, no longer the candidate's. */
  movedFrom?: string;
  /** The org's private cards: the channel sees only the job, the medium and a Details button. */
  private: boolean;
}

export function profileUrl(c: Pick<CandidateDoc, 'links'>): string | undefined {
  return c.links.find((l) => /^https?:\/\//i.test(l.url))?.url;
}

export function candidateSummary(c: CandidateDoc, zone: string): CandidateSummary {
  return {
    id: String(c._id),
    name: c.name,
    medium: c.medium,
    postingTitle: c.postingTitle,
    appliedAt: c.appliedAt,
    ...(typeof c.age === 'number' ? { age: c.age } : {}),
    stage: c.stage,
    zone,
  };
}

export function cardFacts(c: CandidateDoc, jobs: { current: JobDoc | null; cardJob: JobDoc | null }, org: OrgDoc): CardFacts {
  return {
    ...candidateSummary(c, org.zone),
    profileUrl: profileUrl(c),
    job: jobs.current?.name ?? jobs.cardJob?.name ?? null,
    ...(jobs.cardJob && jobs.current && String(jobs.cardJob._id) !== String(jobs.current._id) ? { movedFrom: jobs.cardJob.name } : {}),
    private: org.settings.privateCards,
  };
}

/** The card of a candidate posted for `cardJob` (the channel's job), whatever job they are in now. */
export async function loadCardFacts(deps: Deps, c: CandidateDoc, cardJob: JobDoc, org: OrgDoc): Promise<CardFacts> {
  const current =
    c.jobId && String(c.jobId) !== String(cardJob._id) ? await deps.store.jobs.findOne({ teamId: c.teamId, _id: c.jobId }) : cardJob;
  return cardFacts(c, { current, cardJob }, org);
}

/**
 * Who gets a job's cards by DM while its channel is archived, and who is told when its cards cannot
 * reach the channel: the job's admins, or the org admins when the job has none.
 */
export async function cardAudience(deps: Deps, job: Pick<JobDoc, 'teamId' | 'admins'>): Promise<string[]> {
  return job.admins.length ? job.admins : orgAdmins(deps, job.teamId);
}

/** After a change a posted card must show: mark it dirty and wake its poster. */
export async function touchCard(deps: Deps, teamId: string, candidateId: ObjectId): Promise<void> {
  const jobId = await deps.store.cards.markDirty(teamId, candidateId);
  if (jobId) await deps.cardJobs.wake(teamId, String(jobId));
}

export async function getCandidate(deps: Deps, teamId: string, id: string): Promise<CandidateDoc> {
  if (!/^[a-f0-9]{24}$/.test(id)) throw new NotFoundError('candidate.notFound', { query: id });
  // an erased candidate (a tombstone) is gone for everyone
  const c = await deps.store.candidates.findOne({ teamId, _id: new ObjectId(id), erasedAt: { $exists: false } });
  if (!c) throw new NotFoundError('candidate.notFound', { query: id });
  return c;
}

export async function changeStage(deps: Deps, actor: Actor, candidateId: string, stage: Stage): Promise<CandidateDoc> {
  const c = await getCandidate(deps, actor.teamId, candidateId);
  await authorize(deps, actor, 'candidates.comment', { candidate: { jobId: c.jobId, assignees: c.assignees } }, { candidateId });
  if (c.stage === stage) return c;
  // closedAt: when a closed stage began (the retention setting counts from it)
  const closed = isClosedStage(stage);
  await deps.store.candidates.updateOne(
    { teamId: actor.teamId, _id: c._id, erasedAt: { $exists: false } },
    closed && c.closedAt && isClosedStage(c.stage)
      ? { $set: { stage } }
      : closed
        ? { $set: { stage, closedAt: deps.clock() } }
        : { $set: { stage }, $unset: { closedAt: '' } },
  );
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'candidates.stage',
    allowed: true,
    target: { candidateId, stage },
  });
  await touchCard(deps, actor.teamId, c._id!);
  return { ...c, stage };
}

/** Moves a routed candidate to another job (the card is updated in place, never posted twice). */
export async function changeJob(deps: Deps, actor: Actor, candidateId: string, jobId: string): Promise<CandidateDoc> {
  const c = await getCandidate(deps, actor.teamId, candidateId);
  const target = await deps.store.jobs.findOne({ teamId: actor.teamId, _id: new ObjectId(jobId) });
  if (!target) throw new NotFoundError('jobs.notFound');
  await authorize(deps, actor, 'jobs.edit', { jobId: target._id }, { candidateId });
  if (c.jobId) await authorize(deps, actor, 'jobs.edit', { jobId: c.jobId }, { candidateId });
  await deps.store.candidates.updateOne(
    { teamId: actor.teamId, _id: c._id },
    c.card ? { $set: { jobId: target._id! } } : { $set: { jobId: target._id!, card: { state: 'pending', jobId: target._id! } } },
  );
  if (c.card) await touchCard(deps, actor.teamId, c._id!);
  else await deps.cardJobs.wake(actor.teamId, String(target._id));
  return { ...c, jobId: target._id! };
}
