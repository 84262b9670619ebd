/**
 * `/ats candidate <name or id>`: finds candidates the user may see and opens the details modal;
 * the Details button on a card and in the search answer; the stage select in the modal.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { z } from 'zod';
import type { Deps } from '../src/domain/deps';
import { STAGES, type Stage } from '../src/vocabulary';
import { candidateDetails, searchCandidates } from '../src/domain/candidates';
import { changeStage } from '../src/domain/cards';
import { getOrg } from '../src/domain/orgs';
import { CANDIDATE_ACTIONS, detailsModal, pickMessage } from '../views/candidate';
import { addRoute } from './ats';
import { handle, makeCtx, type Ctx } from './context';
import { truncateText } from '../src/text';

const idSchema = z.string().regex(/^[a-f0-9]{24}$/);

async function openDetails(ctx: Ctx, triggerId: string, id: string) {
  const d = await candidateDetails(ctx.deps, await ctx.actor(), idSchema.parse(id));
  await ctx.client.views.open({ trigger_id: triggerId, view: detailsModal(ctx.t, d) });
}

addRoute('candidate', async ({ ctx, command, rest }) => {
  const query = rest.trim();
  if (!query) {
    await ctx.reply({ text: ctx.t('candidate.usage') });
    return;
  }
  const found = await searchCandidates(ctx.deps, await ctx.actor(), query);
  if (found.length === 0) {
    await ctx.reply({ text: ctx.t('candidate.notFound', { query: truncateText(query, 100) }) });
    return;
  }
  if (found.length === 1) {
    await openDetails(ctx, command.trigger_id, String(found[0]._id));
    return;
  }
  const org = await getOrg(ctx.deps, ctx.teamId);
  const jobs = await ctx.deps.store.jobs.find({ teamId: ctx.teamId, _id: { $in: found.map((c) => c.jobId!).filter(Boolean) } }, { projection: { name: 1 } }).toArray();
  const names = new Map(jobs.map((j) => [String(j._id), j.name]));
  await ctx.reply(pickMessage(ctx.t, found.map((c) => ({
    id: String(c._id), name: c.name, medium: c.medium,
    job: c.jobId ? names.get(String(c.jobId)) ?? null : null, appliedAt: c.appliedAt,
  })), org.zone));
});

export function registerCandidates(app: App, deps: Deps) {
  for (const id of [CANDIDATE_ACTIONS.details, CANDIDATE_ACTIONS.pick]) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, action, client, respond }) => {
      await ack();
      const teamId = body.team?.id ?? body.user.team_id!;
      const inMessage = body.container?.type === 'message' && body.container?.is_ephemeral ? respond : undefined;
      const ctx = await makeCtx(deps, { teamId, userId: body.user.id, client, respond: inMessage, channelId: body.channel?.id });
      await handle(ctx, () => openDetails(ctx, body.trigger_id, action.value ?? ''));
    });
  }
  app.action('candidate_profile', async ({ ack }) => {
    await ack();
  });
  app.action<BlockAction<StaticSelectAction>>(CANDIDATE_ACTIONS.stage, async ({ ack, body, action, client }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id!;
    const ctx = await makeCtx(deps, { teamId, userId: body.user.id, client });
    await handle(ctx, async () => {
      const [id, stage] = (action.selected_option?.value ?? '').split(':');
      if (!STAGES.includes(stage as Stage)) return;
      await changeStage(deps, await ctx.actor(), idSchema.parse(id), stage as Stage);
      if (body.view) {
        const d = await candidateDetails(deps, await ctx.actor(), id);
        await client.views.update({ view_id: body.view.id, view: detailsModal(ctx.t, d) });
      }
    });
  });
}
