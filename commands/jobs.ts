/**
 * `/ats job new`, `/ats jobs`, the job modal and its buttons. The domain refuses what the actor may
 * not do (crafted payloads included); these handlers only parse and render.
 */
import type { App, BlockAction } from '@slack/bolt';
import { z } from 'zod';
import type { Deps } from '../src/domain/deps';
import { authorize } from '../src/domain/access';
import { createJob, getJob, listJobs, updateJob } from '../src/domain/jobs';
import { decide } from '../src/domain/permissions';
import { jobModal, jobsMessage, jobSavedText, JOB_ACTIONS, JOB_CALLBACK } from '../views/jobs';
import { addRoute } from './ats';
import { ackSubmissionError, makeCtx, onButton as onButtonBase, type Ctx } from './context';
import { viewValue, viewValues } from './view-values';
import { truncateText } from '../src/text';

const metaSchema = z.object({ jobId: z.string().regex(/^[a-f0-9]{24}$/).nullable(), version: z.number().int().optional() });

export async function openJobModal(ctx: Ctx, triggerId: string, jobId?: string) {
  const actor = await ctx.actor();
  if (jobId) {
    const job = await getJob(ctx.deps, ctx.teamId, jobId);
    await authorize(ctx.deps, actor, 'jobs.edit', { jobId: job._id });
    await ctx.client.views.open({
      trigger_id: triggerId,
      view: jobModal(ctx.t, { id: jobId, version: job.updatedAt.getTime(), name: job.name, channelId: job.channelId, admins: job.admins, members: job.members }),
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

addRoute('job', async ({ ctx, command, args }) => {
  const sub = (args[0] ?? 'new').normalize('NFKC').toLowerCase();
  if (sub !== 'new') {
    await ctx.reply({ text: ctx.t('common.unknownCommand', { text: truncateText(`job ${sub}`, 100) }) });
    return;
  }
  await openJobModal(ctx, command.trigger_id);
});

addRoute('jobs', async ({ ctx }) => {
  await ctx.reply(await jobsReply(ctx));
});

export function registerJobs(app: App, deps: Deps) {
  app.view(JOB_CALLBACK, async ({ ack, body, view, client }) => {
    const teamId = body.team?.id ?? body.user.team_id!;
    const ctx = await makeCtx(deps, { teamId, userId: body.user.id, client });
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
    try {
      const actor = await ctx.actor();
      const { job, channel } = meta.jobId ? await updateJob(deps, actor, meta.jobId, input, meta.version) : await createJob(deps, actor, input);
      await ack();
      await ctx.reply({ text: jobSavedText(ctx.t, job, channel, !meta.jobId) });
      if (meta.jobId) await deps.cardJobs.wake(teamId, String(job._id));
    } catch (err) {
      await ackSubmissionError(ack, ctx, err, 'name');
    }
  });

  const onButton = (actionId: string, fn: (ctx: Ctx, value: string, body: BlockAction) => Promise<void>) =>
    onButtonBase(app, deps, actionId, (ctx, value, body) => fn(ctx, value, body));
  // the bot was invited to a channel: jobs whose cards were waiting for it post them now
  app.event('member_joined_channel', async ({ event, body, context }) => {
    if (!context.botUserId || event.user !== context.botUserId) return;
    const teamId = body.team_id;
    const jobs = await deps.store.jobs.find({ teamId, channelId: event.channel }, { projection: { _id: 1 } }).toArray();
    for (const j of jobs) {
      await deps.store.jobs.updateOne({ teamId, _id: j._id, 'channelIssue.reason': { $ne: 'is_archived' } }, { $unset: { channelIssue: '' } });
      await deps.cardJobs.wake(teamId, String(j._id));
    }
  });

  onButton(JOB_ACTIONS.create, (ctx, _v, body) => openJobModal(ctx, body.trigger_id));
  onButton(JOB_ACTIONS.edit, (ctx, value, body) => openJobModal(ctx, body.trigger_id, value));
}
