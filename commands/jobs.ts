/**
 * `/ats job new`, `/ats jobs`, the job modal and its buttons. The domain refuses what the actor may
 * not do (crafted payloads included); these handlers only parse and render.
 */
import { z } from 'zod';
import { authorize } from '../src/domain/access';
import { checkJobChannel, createJob, getJob, listJobs, updateJob } from '../src/domain/jobs';
import type { Actor } from '../src/domain/permissions';
import type { JobDoc } from '../src/storage/types';
import { decide } from '../src/domain/permissions';
import { jobModal, jobsMessage, jobSavedText } from '../views/jobs';
import type { CommandArgs } from './ats';
import { ackSubmissionError, handle, type Ctx } from './context';
import { buttonValue, type ActionArgs, type EventArgs, type ViewArgs } from './dispatch';
import { viewValue, viewValues } from './view-values';
import { truncateText } from '../src/text';

const jobIdSchema = z.string().regex(/^[a-f0-9]{24}$/);
const metaSchema = z.object({ jobId: jobIdSchema.nullable(), version: z.number().int().optional() });

export async function openJobModal(ctx: Ctx, triggerId: string, jobId?: string) {
  const actor = await ctx.actor();
  if (jobId) {
    const job = await getJob(ctx.deps, ctx.teamId, jobId);
    await authorize(ctx.deps, actor, 'jobs.edit', { jobId: job._id });
    await ctx.client.views.open({
      trigger_id: triggerId,
      view: jobModal(ctx.t, {
        id: jobId,
        version: job.updatedAt.getTime(),
        name: job.name,
        channelId: job.channelId,
        admins: job.admins,
        members: job.members,
      }),
    });
    return;
  }
  await authorize(ctx.deps, actor, 'jobs.create');
  await ctx.client.views.open({ trigger_id: triggerId, view: jobModal(ctx.t) });
}

export async function jobsReply(ctx: Ctx) {
  const actor = await ctx.actor();
  const d = await listJobs(ctx.deps, actor);
  return jobsMessage(ctx.t, { ...d, canCreate: decide(actor, 'jobs.create').allowed });
}

/** `/ats job new` */
export async function jobCommand({ ctx, command, args }: CommandArgs) {
  const sub = (args[0] ?? 'new').normalize('NFKC').toLowerCase();
  if (sub !== 'new') {
    await ctx.reply({ text: ctx.t('common.unknownCommand', { text: truncateText(`job ${sub}`, 100) }) });
    return;
  }
  await openJobModal(ctx, command.trigger_id);
}

/** `/ats jobs` */
export async function jobsCommand({ ctx }: CommandArgs) {
  await ctx.reply(await jobsReply(ctx));
}

/** The job modal submitted (`job:save`): a new job, or the changes to one. */
export async function submitJob({ ack, view, ctx }: ViewArgs) {
  const deps = ctx.deps;
  const teamId = ctx.teamId;
  let meta: z.infer<typeof metaSchema>;
  try {
    meta = metaSchema.parse(JSON.parse(view.private_metadata || '{}'));
  } catch {
    await ack({ response_action: 'errors', errors: { name: ctx.t('common.invalidInput', { detail: 'metadata' }) } });
    return;
  }
  const input = {
    name: viewValue(view, 'name') ?? '',
    channelId: viewValue(view, 'channel') ?? '',
    admins: viewValues(view, 'admins'),
    members: viewValues(view, 'members'),
  };
  // before the ack: the database only (the actor, the checks, the write keyed by the view id)
  let saved: { actor: Actor; job: JobDoc; before?: JobDoc };
  try {
    const actor = await ctx.actor();
    const requestId = view.id;
    saved = meta.jobId
      ? { actor, ...(await updateJob(deps, actor, meta.jobId, input, meta.version, { requestId })) }
      : { actor, job: await createJob(deps, actor, input, { requestId }) };
  } catch (err) {
    await ackSubmissionError(ack, ctx, err, 'name');
    return;
  }
  await ack();
  // after the ack: Slack (is the bot in the channel? a channel shared with another organization?)
  await handle(ctx, async () => {
    const channel = await checkJobChannel(deps, saved.actor, saved.job, saved.before);
    if (channel === 'shared') {
      await ctx.reply({ text: ctx.t('jobs.sharedChannel') });
      return;
    }
    await ctx.reply({ text: jobSavedText(ctx.t, saved.job, channel, !meta.jobId) });
    if (meta.jobId) await deps.cardJobs.wake(teamId, String(saved.job._id));
  });
}

/** `job:new`: the job modal, empty. */
export async function newJob({ ctx, body }: ActionArgs) {
  await openJobModal(ctx, body.trigger_id);
}

/** `job:edit`: the job modal for a job. */
export async function editJob({ ctx, action, body }: ActionArgs) {
  await openJobModal(ctx, body.trigger_id, jobIdSchema.parse(buttonValue(action)));
}

/** `member_joined_channel`: the bot was invited to a channel; jobs whose cards were waiting for it post them now. */
export async function botJoinedChannel({ event, body, context, deps }: EventArgs<'member_joined_channel'>) {
  if (!context.botUserId || event.user !== context.botUserId) return;
  const teamId = body.team_id;
  const jobs = await deps.store.jobs.find({ teamId, channelId: event.channel }, { projection: { _id: 1 } }).toArray();
  for (const j of jobs) {
    await deps.store.jobs.updateOne(
      { teamId, _id: j._id, 'channelIssue.reason': { $ne: 'is_archived' } },
      { $unset: { channelIssue: '' } },
    );
    await deps.cardJobs.wake(teamId, String(j._id));
  }
}
