/**
 * `/ats mapping`, the import notice's `map:open` button and the Home `home:mapping` button: the
 * mapping modal. Selecting a job for a posting, adding or deleting a rule: the domain
 * checks rights (crafted payloads included), routes the waiting candidates, and the modal shows how
 * many moved.
 */
import type { BlockAction } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../src/domain/permissions';
import { decide } from '../src/domain/permissions';
import { authorize } from '../src/domain/access';
import { mappableJobs } from '../src/domain/jobs';
import { addRule, deleteRule, mappingOverview, setPostingJob } from '../src/domain/mapping';
import { DomainError } from '../src/domain/errors';
import { MAPPING_PAGE_SIZE, UNMAP, mappingModal, ruleModal, type JobChoice, type MappingBanner } from '../views/mapping';
import type { CommandArgs } from './ats';
import { ackSubmissionError, domainErrorText, type Ctx } from './context';
import { buttonValue, type ActionArgs, type OptionsArgs, type ViewArgs } from './dispatch';
import { viewValue } from './view-values';
import { cleanLine, truncateText, viewIdSchema } from '../src/text';

const idSchema = z.string().regex(/^[a-f0-9]{24}$/);
/** A posting's job select (static, or external past 100 jobs): its block is `posting_<id>`. */
const selectSchema = z.object({ block_id: z.string(), selected_option: z.object({ value: z.string() }).nullish() });
const pageMeta = z.object({ page: z.number().int().min(0).max(10_000) });
const ruleMeta = z.object({ parentViewId: viewIdSchema });

async function jobChoices(ctx: Ctx, actor: Actor): Promise<JobChoice[] | null> {
  if (actor.orgRole === 'limited') return [];
  const jobs = await mappableJobs(ctx.deps, actor, '', 101);
  if (jobs.length > 100) return null;
  return jobs.map((j) => ({ id: String(j._id), name: j.name }));
}

async function buildView(ctx: Ctx, page: number, banner?: MappingBanner) {
  const actor = await ctx.actor();
  const overview = await mappingOverview(ctx.deps, actor, page, MAPPING_PAGE_SIZE);
  const jobs = await jobChoices(ctx, actor);
  return mappingModal(ctx.t, {
    overview,
    page,
    jobs,
    banner,
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

/** `/ats mapping` */
export async function mappingCommand({ ctx, command }: CommandArgs) {
  await openMapping(ctx, command.trigger_id);
}

/** `map:open` (the import notice) and `home:mapping` (App Home): the mapping modal. */
export async function showMapping({ ctx, body }: ActionArgs) {
  await openMapping(ctx, body.trigger_id);
}

/** Updates the mapping modal in place, with a banner; a failure shows in the banner too. */
async function refresh(ctx: Ctx, body: BlockAction, page: number, banner?: MappingBanner) {
  if (!body.view) return;
  await ctx.client.views.update({ view_id: body.view.id, view: await buildView(ctx, page, banner) });
}

async function inModal(ctx: Ctx, body: BlockAction, fn: () => Promise<string | undefined>, page?: number) {
  const p = page ?? pageOf(body.view?.private_metadata);
  try {
    const done = await fn();
    await refresh(ctx, body, p, done === undefined ? undefined : { kind: 'done', text: done });
  } catch (err) {
    if (err instanceof DomainError)
      await refresh(ctx, body, p, { kind: 'refused', text: domainErrorText(ctx.t, err) }).catch(() => undefined);
    throw err;
  }
}

/** `map:job`: a posting's job chosen (or unmapped) in the modal; the waiting candidates move. */
export async function selectPostingJob({ ctx, action, body }: ActionArgs) {
  const deps = ctx.deps;
  await inModal(ctx, body, async () => {
    const selected = selectSchema.parse(action);
    const postingId = idSchema.parse(selected.block_id.replace(/^posting_/, ''));
    const value = selected.selected_option?.value ?? UNMAP;
    const jobId = value === UNMAP ? null : idSchema.parse(value);
    const r = await setPostingJob(deps, await ctx.actor(), postingId, jobId);
    return jobId ? movedText(ctx, r) : ctx.t('mapping.unmapped');
  });
}

/** `map:page`: another page of postings. */
export async function showMappingPage({ ctx, action, body }: ActionArgs) {
  const page = Math.max(0, Number.parseInt(buttonValue(action) || '0', 10) || 0);
  await inModal(ctx, body, async () => undefined, page);
}

/** `map:rule:delete` */
export async function deleteMappingRule({ ctx, action, body }: ActionArgs) {
  const deps = ctx.deps;
  await inModal(ctx, body, async () => {
    await deleteRule(deps, await ctx.actor(), idSchema.parse(buttonValue(action)));
    return ctx.t('mapping.ruleDeleted');
  });
}

/** `map:rule:add`: the rule modal, pushed over the mapping modal. */
export async function openRuleModal({ ctx, body }: ActionArgs) {
  const actor = await ctx.actor();
  if (!body.view) return;
  const jobs = await jobChoices(ctx, actor);
  // no job to map onto (limited access, no job administered): refused, not a modal with an empty select
  if (jobs?.length === 0) await authorize(ctx.deps, actor, 'mapping.edit', { jobId: null }, { rule: 'add' });
  await ctx.client.views.push({ trigger_id: body.trigger_id, view: ruleModal(ctx.t, jobs, body.view.id) });
}

/** The rule modal submitted (`map:rule:save`): the rule routes the waiting candidates; the mapping modal says how many. */
export async function submitRule({ ack, view, client, ctx }: ViewArgs) {
  const deps = ctx.deps;
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
      requestId: view.id,
    });
    await ack();
    if (parentViewId)
      await client.views
        .update({ view_id: parentViewId, view: await buildView(ctx, 0, { kind: 'done', text: movedText(ctx, r) }) })
        .catch((err) => deps.logger.warn({ err }, 'could not refresh the mapping modal'));
    else await ctx.reply({ text: movedText(ctx, r) });
  } catch (err) {
    await ackSubmissionError(ack, ctx, err, 'job');
  }
}

/** `map:job`, `map:rule:job` options: job search for the external selects (more than 100 jobs). */
export async function searchJobs({ ack, payload, ctx }: OptionsArgs) {
  const deps = ctx.deps;
  const actor = await ctx.actor();
  const jobs =
    actor.orgRole === 'limited' ? [] : await mappableJobs(deps, actor, truncateText(cleanLine(String(payload.value ?? '')), 100), 100);
  await ack({
    options: jobs.map((j) => ({ text: { type: 'plain_text' as const, text: truncateText(j.name, 75) }, value: String(j._id) })),
  });
}
