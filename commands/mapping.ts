/**
 * `/ats mapping`, the import notice's `open_mapping` button and the Home `home_open_mapping`
 * button: the mapping modal. Selecting a job for a posting, adding or deleting a rule: the domain
 * checks rights (crafted payloads included), routes the waiting candidates, and the modal shows how
 * many moved.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction, ExternalSelectAction } from '@slack/bolt';
import { z } from 'zod';
import type { Deps } from '../src/domain/deps';
import type { Actor } from '../src/domain/permissions';
import { decide } from '../src/domain/permissions';
import { loadActor } from '../src/domain/members';
import { mappableJobs } from '../src/domain/jobs';
import { addRule, deleteRule, mappingOverview, setPostingJob } from '../src/domain/mapping';
import { DomainError } from '../src/domain/errors';
import { MAPPING_ACTIONS, MAPPING_CALLBACK, MAPPING_PAGE_SIZE, RULE_CALLBACK, UNMAP, mappingModal, ruleModal, type JobChoice } from '../views/mapping';
import { HOME_OPEN_MAPPING } from '../views/home';
import { OPEN_MAPPING_ACTION } from '../views/import-notices';
import { addRoute } from './ats';
import { ackSubmissionError, domainErrorText, handle, makeCtx, type Ctx } from './context';
import { viewValue } from './view-values';
import { truncateText } from '../src/text';

/** The import notice's button (views/import-notices.ts). */
export const OPEN_MAPPING = OPEN_MAPPING_ACTION;

const idSchema = z.string().regex(/^[a-f0-9]{24}$/);
const pageMeta = z.object({ page: z.number().int().min(0).max(10_000) });
const ruleMeta = z.object({ parentViewId: z.string().min(1).max(64) });

async function jobChoices(ctx: Ctx, actor: Actor): Promise<JobChoice[] | null> {
  if (actor.orgRole === 'limited') return [];
  const jobs = await mappableJobs(ctx.deps, actor, '', 101);
  if (jobs.length > 100) return null;
  return jobs.map((j) => ({ id: String(j._id), name: j.name }));
}

async function buildView(ctx: Ctx, page: number, banner?: string) {
  const actor = await ctx.actor();
  const overview = await mappingOverview(ctx.deps, actor, page, MAPPING_PAGE_SIZE);
  const jobs = await jobChoices(ctx, actor);
  return mappingModal(ctx.t, {
    overview, page, jobs, banner,
    canEditJob: (jobId) => decide(actor, 'mapping.edit', { jobId }).allowed,
  });
}

export async function openMapping(ctx: Ctx, triggerId: string) {
  const view = await buildView(ctx, 0);
  await ctx.client.views.open({ trigger_id: triggerId, view });
}

function pageOf(privateMetadata: string | undefined): number {
  try {
    return pageMeta.parse(JSON.parse(privateMetadata || '{}')).page;
  } catch {
    return 0;
  }
}

function movedText(ctx: Ctx, r: { moved: number; jobName?: string; stayed?: number }) {
  const moved = r.moved > 0 ? ctx.t('mapping.routed', { count: r.moved, job: r.jobName ?? '' }) : ctx.t('mapping.routedNone');
  return r.stayed ? `${moved}\n${ctx.t('mapping.stayed', { count: r.stayed, job: r.jobName ?? '' })}` : moved;
}

addRoute('mapping', ({ ctx, command }) => openMapping(ctx, command.trigger_id));

export function registerMapping(app: App, deps: Deps) {
  const ctxOf = async (body: BlockAction, client: Parameters<typeof makeCtx>[1]['client']) => {
    const teamId = body.team?.id ?? body.user.team_id!;
    return makeCtx(deps, { teamId, userId: body.user.id, client, channelId: body.channel?.id });
  };

  for (const id of [OPEN_MAPPING, HOME_OPEN_MAPPING]) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, client }) => {
      await ack();
      const ctx = await ctxOf(body, client);
      await handle(ctx, () => openMapping(ctx, body.trigger_id));
    });
  }

  /** Updates the mapping modal in place, with a banner; a failure shows in the banner too. */
  const refresh = async (ctx: Ctx, body: BlockAction, page: number, banner?: string) => {
    if (!body.view) return;
    await ctx.client.views.update({ view_id: body.view.id, view: await buildView(ctx, page, banner) });
  };
  const inModal = (ctx: Ctx, body: BlockAction, fn: () => Promise<string | undefined>, page?: number) =>
    handle(ctx, async () => {
      const p = page ?? pageOf(body.view?.private_metadata);
      try {
        await refresh(ctx, body, p, await fn());
      } catch (err) {
        if (err instanceof DomainError) await refresh(ctx, body, p, `:no_entry: ${domainErrorText(ctx.t, err)}`).catch(() => undefined);
        throw err;
      }
    });

  app.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(MAPPING_ACTIONS.job, async ({ ack, body, action, client }) => {
    await ack();
    const ctx = await ctxOf(body, client);
    await inModal(ctx, body, async () => {
      const postingId = idSchema.parse(action.block_id.replace(/^posting_/, ''));
      const value = action.selected_option?.value ?? UNMAP;
      const jobId = value === UNMAP ? null : idSchema.parse(value);
      const r = await setPostingJob(deps, await ctx.actor(), postingId, jobId);
      return jobId ? movedText(ctx, r) : ctx.t('mapping.unmapped');
    });
  });

  app.action<BlockAction<ButtonAction>>(MAPPING_ACTIONS.page, async ({ ack, body, action, client }) => {
    await ack();
    const ctx = await ctxOf(body, client);
    const page = Math.max(0, Number.parseInt(action.value ?? '0', 10) || 0);
    await inModal(ctx, body, async () => undefined, page);
  });

  app.action<BlockAction<ButtonAction>>(MAPPING_ACTIONS.deleteRule, async ({ ack, body, action, client }) => {
    await ack();
    const ctx = await ctxOf(body, client);
    await inModal(ctx, body, async () => {
      await deleteRule(deps, await ctx.actor(), idSchema.parse(action.value));
      return ctx.t('mapping.ruleDeleted');
    });
  });

  app.action<BlockAction<ButtonAction>>(MAPPING_ACTIONS.addRule, async ({ ack, body, client }) => {
    await ack();
    const ctx = await ctxOf(body, client);
    await handle(ctx, async () => {
      const actor = await ctx.actor();
      if (!body.view) return;
      await ctx.client.views.push({ trigger_id: body.trigger_id, view: ruleModal(ctx.t, await jobChoices(ctx, actor), body.view.id) });
    });
  });

  app.view(RULE_CALLBACK, async ({ ack, body, view, client }) => {
    const teamId = body.team?.id ?? body.user.team_id!;
    const ctx = await makeCtx(deps, { teamId, userId: body.user.id, client });
    let parentViewId: string | undefined;
    try {
      parentViewId = ruleMeta.parse(JSON.parse(view.private_metadata || '{}')).parentViewId;
    } catch {
      parentViewId = undefined;
    }
    try {
      const r = await addRule(deps, await ctx.actor(), {
        medium: viewValue(view, 'medium') ?? '',
        pattern: viewValue(view, 'pattern') ?? '',
        match: viewValue(view, 'match') ?? '',
        jobId: viewValue(view, 'job') ?? '',
      });
      await ack();
      if (parentViewId) await client.views.update({ view_id: parentViewId, view: await buildView(ctx, 0, movedText(ctx, r)) }).catch((err) => deps.logger.warn({ err }, 'could not refresh the mapping modal'));
      else await ctx.reply({ text: movedText(ctx, r) });
    } catch (err) {
      await ackSubmissionError(ack, ctx, err, 'job');
    }
  });

  // job search for the external selects (more than 100 jobs)
  for (const actionId of [MAPPING_ACTIONS.job, MAPPING_ACTIONS.ruleJob]) {
    app.options(actionId, async ({ ack, body, payload }) => {
      const teamId = body.team?.id ?? body.user.team_id!;
      try {
        const actor = await loadActor(deps, teamId, body.user.id);
        const jobs = actor.orgRole === 'limited' ? [] : await mappableJobs(deps, actor, truncateText(String(payload.value ?? ''), 100), 100);
        await ack({ options: jobs.map((j) => ({ text: { type: 'plain_text' as const, text: j.name.slice(0, 75) }, value: String(j._id) })) });
      } catch (err) {
        deps.logger.warn({ err }, 'job options failed');
        await ack({ options: [] });
      }
    });
  }

  app.view({ callback_id: MAPPING_CALLBACK, type: 'view_closed' }, async ({ ack }) => {
    await ack();
  });
}
