/**
 * Jobs: a name, the channel its candidate cards go to, its admins and members. Org admins create
 * any job; a job admin may create more jobs (and is then one of its admins). The channel is checked
 * with conversations.info so the creator is told at once when the bot must be invited.
 * Names are unique per team up to case, width and spacing (`nameKey`, a unique index): Backend
 * Engineer, backend engineer and Ｂａｃｋｅｎｄ　Ｅｎｇｉｎｅｅｒ are one job; the name is kept as typed.
 */
import { ObjectId } from 'mongodb';
import type { Deps } from './deps';
import { decide, type Actor } from './permissions';
import { countUnmappedPostings } from './mapping';
import type { JobDoc } from '../storage/types';
import { authorize } from './access';
import { DomainError, NotFoundError, ValidationError } from './errors';
import { isDuplicateKey } from '../storage/db';
import { audit } from './audit';
import { cleanLine, escapeRegExp, jobChannelIdSchema, normalizeName, truncateText, userIdSchema } from '../text';
import { typedName } from './typed-text';

export interface JobInput {
  name: string;
  channelId: string;
  admins: string[];
  members: string[];
}

export type ChannelStatus = 'ok' | 'not_in_channel' | 'is_archived' | 'channel_not_found' | 'unknown';

export function parseJobId(id: string): ObjectId {
  if (!/^[a-f0-9]{24}$/.test(id)) throw new NotFoundError('jobs.notFound');
  return new ObjectId(id);
}

export async function getJob(deps: Deps, teamId: string, jobId: ObjectId | string): Promise<JobDoc> {
  const _id = typeof jobId === 'string' ? parseJobId(jobId) : jobId;
  const job = await deps.store.jobs.findOne({ teamId, _id });
  if (!job) throw new NotFoundError('jobs.notFound');
  return job;
}

function validate(input: JobInput): JobInput {
  const name = typedName(input.name, 80);
  const errors: ValidationError['fields'] = {};
  if (!name.ok) errors.name = name.error;
  // a channel id of Slack's shape and length (a 10,000-character "id" is refused, not stored)
  if (!jobChannelIdSchema.safeParse(input.channelId).success) errors.channel = { key: 'link.errors.required' };
  if (!name.ok || Object.keys(errors).length) throw new ValidationError(errors);
  const clean = (ids: string[]) => [...new Set(ids.filter((u) => userIdSchema.safeParse(u).success))].slice(0, 100);
  return { name: name.value, channelId: input.channelId, admins: clean(input.admins), members: clean(input.members) };
}

/**
 * Can the bot post in the channel? (conversations.info; is_member / is_archived). With
 * `refuseShared`, a Slack Connect channel (shared with another organization, whose people would read
 * the candidate cards) is refused under the channel field; when Slack cannot say (a private channel
 * the bot is not in), the usual channel warnings follow.
 */
export async function channelStatus(
  deps: Deps,
  teamId: string,
  channelId: string,
  opts: { refuseShared?: boolean } = {},
): Promise<ChannelStatus> {
  const client = await deps.slack.clientFor(teamId);
  if (!client) return 'unknown';
  let res: Awaited<ReturnType<typeof client.conversations.info>>;
  try {
    res = await client.conversations.info({ channel: channelId });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'channel_not_found') return 'channel_not_found';
    deps.logger.warn({ err, teamId, channelId }, 'conversations.info failed');
    return 'unknown';
  }
  if (opts.refuseShared && (res.channel?.is_ext_shared || res.channel?.is_pending_ext_shared)) {
    throw new ValidationError({ channel: { key: 'jobs.sharedChannel' } });
  }
  if (res.channel?.is_archived) return 'is_archived';
  if (res.channel && res.channel.is_member === false) return 'not_in_channel';
  return 'ok';
}

/**
 * A channel problem seen when the job is saved is kept on the job, so /ats jobs shows it before any
 * card fails. Without notifiedAt: the card poster still tells the job's admins once cards wait.
 */
function issueOf(status: ChannelStatus, at: Date): JobDoc['channelIssue'] {
  return status === 'not_in_channel' || status === 'is_archived' || status === 'channel_not_found'
    ? { reason: status, since: at }
    : undefined;
}

/**
 * A new job (no Slack call: this runs before the modal's ack). `requestId` (the modal's view id)
 * makes a resubmission of the same modal the same request: it answers the job the first one made
 * instead of "name taken". The channel is checked after the ack (`checkJobChannel`).
 */
export async function createJob(deps: Deps, actor: Actor, raw: JobInput, opts: { requestId?: string } = {}): Promise<JobDoc> {
  await authorize(deps, actor, 'jobs.create', {}, { name: truncateText(cleanLine(raw.name), 80) });
  const input = validate(raw);
  const teamId = actor.teamId;
  const replay = async () => (opts.requestId ? deps.store.jobs.findOne({ teamId, requestId: opts.requestId }) : null);
  const done = await replay();
  if (done) return done;
  // a job admin who creates a job administers it (otherwise they could not map onto it)
  const admins = actor.orgRole === 'org_admin' || input.admins.includes(actor.userId) ? input.admins : [actor.userId, ...input.admins];
  const now = deps.clock();
  const job: JobDoc = {
    _id: new ObjectId(),
    teamId,
    name: input.name,
    nameKey: normalizeName(input.name),
    channelId: input.channelId,
    admins,
    members: input.members.filter((m) => !admins.includes(m)),
    createdBy: actor.userId,
    createdAt: now,
    updatedAt: now,
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
  };
  try {
    await deps.store.jobs.insertOne(job);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // the same modal submitted twice at once: the other submission made it
    const again = await replay();
    if (again) return again;
    throw new ValidationError({ name: { key: 'jobs.nameTaken' } });
  }
  await audit(deps, {
    teamId,
    actorId: actor.userId,
    action: 'jobs.create',
    allowed: true,
    target: { jobId: String(job._id), name: job.name },
  });
  return job;
}

/**
 * `version`: the job's updatedAt (ms) when the edit modal opened. The modal writes whole admin and
 * member lists, so a save over a change made meanwhile (someone's role given in /ats roles, another
 * edit) would undo it: such a save is refused and the user reopens the job — unless the change
 * meanwhile was this very modal's (`requestId`, the view id), submitted again. No Slack call.
 */
export async function updateJob(
  deps: Deps,
  actor: Actor,
  jobId: string,
  raw: JobInput,
  version?: number,
  opts: { requestId?: string } = {},
): Promise<{ job: JobDoc; before: JobDoc }> {
  const before = await getJob(deps, actor.teamId, jobId);
  await authorize(deps, actor, 'jobs.edit', { jobId: before._id }, { name: truncateText(cleanLine(raw.name), 80) });
  const input = validate(raw);
  if (opts.requestId && before.editRequestId === opts.requestId) return { job: before, before };
  const set: Partial<JobDoc> = {
    name: input.name,
    // the unique {teamId, nameKey} index refuses a look-alike of another job; the job's own key may
    // stay the same (a rename to another case or width of its own name)
    nameKey: normalizeName(input.name),
    channelId: input.channelId,
    admins: input.admins,
    members: input.members.filter((m) => !input.admins.includes(m)),
    updatedAt: deps.clock(),
    ...(opts.requestId ? { editRequestId: opts.requestId } : {}),
  };
  try {
    const job = await deps.store.jobs.findOneAndUpdate(
      { teamId: actor.teamId, _id: before._id, ...(version !== undefined ? { updatedAt: new Date(version) } : {}) },
      // a new channel: its problem (if any) is found after the ack; the old channel's is dropped
      input.channelId === before.channelId ? { $set: set } : { $set: set, $unset: { channelIssue: '' } },
      { returnDocument: 'after' },
    );
    if (!job) {
      const now = await deps.store.jobs.findOne({ teamId: actor.teamId, _id: before._id });
      if (now && opts.requestId && now.editRequestId === opts.requestId) return { job: now, before };
      if (version !== undefined && now) throw new DomainError('jobs.changedMeanwhile');
      throw new NotFoundError('jobs.notFound');
    }
    await audit(deps, { teamId: actor.teamId, actorId: actor.userId, action: 'jobs.edit', allowed: true, target: { jobId: jobId } });
    return { job, before };
  } catch (err) {
    if (isDuplicateKey(err)) throw new ValidationError({ name: { key: 'jobs.nameTaken' } });
    throw err;
  }
}

/**
 * After the modal's ack: can the bot post in the job's channel (conversations.info)? A problem is
 * kept on the job (channelIssue). A Slack Connect channel (shared with another organization) is
 * refused: the save is undone (a new job removed, an edit's channel put back) if nothing changed
 * the job since, and `shared` is returned for the user to be told.
 */
export async function checkJobChannel(deps: Deps, actor: Actor, job: JobDoc, before?: JobDoc): Promise<ChannelStatus | 'shared'> {
  const channelChanged = !before || before.channelId !== job.channelId;
  let status: ChannelStatus;
  try {
    status = await channelStatus(deps, actor.teamId, job.channelId, { refuseShared: channelChanged });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const same = { teamId: actor.teamId, _id: job._id, updatedAt: job.updatedAt };
    if (!before) await deps.store.jobs.deleteOne(same);
    else
      await deps.store.jobs.updateOne(same, {
        $set: { channelId: before.channelId, ...(before.channelIssue ? { channelIssue: before.channelIssue } : {}) },
      });
    await audit(deps, {
      teamId: actor.teamId,
      actorId: actor.userId,
      action: before ? 'jobs.edit' : 'jobs.create',
      allowed: false,
      target: { jobId: String(job._id), name: job.name },
      reason: 'shared_channel',
    });
    return 'shared';
  }
  const issue = issueOf(status, deps.clock());
  if (issue && (channelChanged || job.channelIssue?.reason !== issue.reason)) {
    await deps.store.jobs.updateOne({ teamId: actor.teamId, _id: job._id, channelId: job.channelId }, { $set: { channelIssue: issue } });
  }
  return status;
}

export interface JobSummary {
  id: string;
  name: string;
  channelId: string;
  candidates: number;
  unmappedPostings: number;
  pendingCards: number;
  channelIssue?: JobDoc['channelIssue'];
  canEdit: boolean;
}

/** Every job with its candidate count; the org-wide unmapped postings count is given alongside. */
export async function listJobs(deps: Deps, actor: Actor): Promise<{ jobs: JobSummary[]; unmapped: number }> {
  await authorize(deps, actor, 'jobs.view');
  const teamId = actor.teamId;
  const [jobs, counts, pending, unmapped] = await Promise.all([
    deps.store.jobs.find({ teamId }).sort({ name: 1 }).limit(200).toArray(),
    deps.store.candidates
      .aggregate<{ _id: ObjectId; n: number }>([
        { $match: { teamId, jobId: { $ne: null } } },
        { $group: { _id: '$jobId', n: { $sum: 1 } } },
      ])
      .toArray(),
    deps.store.candidates
      .aggregate<{ _id: ObjectId; n: number }>([
        { $match: { teamId, 'card.state': { $in: ['pending', 'posting'] } } },
        { $group: { _id: '$card.jobId', n: { $sum: 1 } } },
      ])
      .toArray(),
    countUnmappedPostings(deps, teamId),
  ]);
  const count = new Map(counts.map((c) => [String(c._id), c.n]));
  const pend = new Map(pending.map((c) => [String(c._id), c.n]));
  return {
    unmapped,
    jobs: jobs.map((j) => ({
      id: String(j._id),
      name: j.name,
      channelId: j.channelId,
      candidates: count.get(String(j._id)) ?? 0,
      unmappedPostings: unmapped,
      pendingCards: pend.get(String(j._id)) ?? 0,
      channelIssue: j.channelIssue,
      canEdit: decide(actor, 'jobs.edit', { jobId: j._id }).allowed,
    })),
  };
}

/** Jobs an actor may map postings onto (all for org admins, their own for job admins). */
export async function mappableJobs(deps: Deps, actor: Actor, query = '', limit = 100): Promise<JobDoc[]> {
  if (!decide(actor, 'mapping.view').allowed) return []; // limited access, a deactivated account
  const filter: Record<string, unknown> = { teamId: actor.teamId };
  if (actor.orgRole !== 'org_admin') filter._id = { $in: actor.jobAdminOf.map((id) => new ObjectId(id)) };
  const q = query.trim();
  // the same folding as job names (width, case, spaces); a job from before the key falls back to its name
  if (q)
    filter.$or = [
      { nameKey: { $regex: escapeRegExp(normalizeName(q)) } },
      { nameKey: { $exists: false }, name: { $regex: escapeRegExp(q), $options: 'i' } },
    ];
  return deps.store.jobs.find(filter).sort({ name: 1 }).limit(limit).toArray();
}
