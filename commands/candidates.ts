/**
 * `/ats candidate <name or id>`: finds candidates the user may see and opens the details modal;
 * the Details button on a card and in the search answer; the stage select and the Erase button
 * (org admins; Slack's confirm dialog names the candidate first) in the modal.
 */
import { z } from 'zod';
import { STAGES } from '../src/vocabulary';
import { candidateDetails, searchCandidates } from '../src/domain/candidates';
import { changeStage } from '../src/domain/cards';
import { getOrg } from '../src/domain/orgs';
import { detailsModal, erasedModal, pickMessage } from '../views/candidate';
import { eraseCandidate } from '../src/domain/privacy';
import type { CommandArgs } from './ats';
import type { Ctx } from './context';
import { buttonValue, type ActionArgs } from './dispatch';
import { truncateText } from '../src/text';

const idSchema = z.string().regex(/^[a-f0-9]{24}$/);
/** The stage select's option: `<candidate id>:<stage>`. */
const stageChoice = z
  .object({ selected_option: z.object({ value: z.string() }) })
  .transform((a) => a.selected_option.value.split(':'))
  .pipe(z.tuple([idSchema, z.enum(STAGES)]));

async function openDetails(ctx: Ctx, triggerId: string, id: string) {
  const d = await candidateDetails(ctx.deps, await ctx.actor(), idSchema.parse(id));
  await ctx.client.views.open({ trigger_id: triggerId, view: detailsModal(ctx.t, d) });
}

/** `/ats candidate <name or id>` */
export async function candidateCommand({ ctx, command, rest }: CommandArgs) {
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
  const jobs = await ctx.deps.store.jobs
    .find({ teamId: ctx.teamId, _id: { $in: found.map((c) => c.jobId!).filter(Boolean) } }, { projection: { name: 1 } })
    .toArray();
  const names = new Map(jobs.map((j) => [String(j._id), j.name]));
  await ctx.reply(
    pickMessage(
      ctx.t,
      found.map((c) => ({
        id: String(c._id),
        name: c.name,
        medium: c.medium,
        job: c.jobId ? (names.get(String(c.jobId)) ?? null) : null,
        appliedAt: c.appliedAt,
      })),
      org.zone,
    ),
  );
}

/** `cand:details` (a card) and `cand:pick` (the search answer): the details modal. */
export async function showDetails({ ctx, action, body }: ActionArgs) {
  await openDetails(ctx, body.trigger_id, buttonValue(action));
}

/** `cand:profile`: the profile link button; the browser opens the link, Slack still wants an ack. */
export async function profileLinkOpened(): Promise<void> {}

/** `cand:stage`: the stage select in the details modal; the card is updated by the domain. */
export async function changeCandidateStage({ ctx, action, body }: ActionArgs) {
  const deps = ctx.deps;
  const client = ctx.client;
  const [id, stage] = stageChoice.parse(action);
  await changeStage(deps, await ctx.actor(), id, stage);
  if (body.view) {
    const d = await candidateDetails(deps, await ctx.actor(), id);
    await client.views.update({ view_id: body.view.id, view: detailsModal(ctx.t, d) });
  }
}

/**
 * `cand:erase`: the Erase button in the details modal, clicked and confirmed (org admins). The modal
 * then says the data is gone; a second click (or a retried delivery) erases nothing more.
 */
export async function eraseCandidateData({ ctx, action, body }: ActionArgs) {
  const id = idSchema.parse(buttonValue(action));
  await eraseCandidate(ctx.deps, await ctx.actor(), id);
  if (body.view) await ctx.client.views.update({ view_id: body.view.id, view: erasedModal(ctx.t) });
  else await ctx.reply({ text: ctx.t('privacy.erased') });
}
