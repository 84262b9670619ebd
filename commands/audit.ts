/**
 * `/ats audit` (org admins): the audit log, a page at a time, filtered by person and by action
 * (views/audit.ts). The page buttons and the two selects answer by replacing the message they are in.
 */
import { z } from 'zod';
import type { BlockAction } from '@slack/bolt';
import { auditPage, type AuditQuery } from '../src/domain/audit-log';
import { ALL_ACTIONS, AUDIT_FILTER_BLOCK, auditMessage } from '../views/audit';
import type { CommandArgs } from './ats';
import type { Ctx } from './context';
import { buttonValue, type ActionArgs } from './dispatch';

const userId = z.string().regex(/^[UW][A-Z0-9]{2,30}$/);
const actionCode = z
  .string()
  .regex(/^[a-z_]+(\.[a-z_]+)*$/)
  .max(64);
/** A page button's value. */
const pageRef = z
  .string()
  .max(300)
  .transform((s, c) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      c.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ p: z.number().int().min(0).max(10_000), u: userId.optional(), a: actionCode.optional() }));
/** The filter block's id: `audit_f:<user>:<action>` (either may be empty). */
const filterBlock = z
  .string()
  .max(255)
  .transform((s) => s.split(':'))
  .pipe(z.tuple([z.literal(AUDIT_FILTER_BLOCK), z.union([z.literal(''), userId]), z.union([z.literal(''), actionCode])]))
  .transform(([, u, a]) => ({ u: u || undefined, a: a || undefined }));

async function answer(ctx: Ctx, q: AuditQuery, respond?: ActionArgs['respond'], inMessage = false) {
  const msg = auditMessage(ctx.t, await auditPage(ctx.deps, await ctx.actor(), q));
  if (inMessage && respond) await respond({ response_type: 'ephemeral', replace_original: true, ...msg });
  else await ctx.reply(msg);
}

const fromMessage = (body: BlockAction) => body.container?.type === 'message';

/** `/ats audit` */
export async function auditCommand({ ctx }: CommandArgs) {
  await answer(ctx, { page: 0 });
}

/** `audit:page:prev|next|clear`: the page (and filters) the button carries. */
export async function showAuditPage({ ctx, action, body, respond }: ActionArgs) {
  const ref = pageRef.parse(buttonValue(action));
  await answer(ctx, { page: ref.p, userId: ref.u, action: ref.a }, respond, fromMessage(body));
}

/** `audit:user`: the person filter changed (the action filter in force is in the block id). */
export async function filterAuditByUser({ ctx, action, body, respond }: ActionArgs) {
  const { a } = filterBlock.parse(action.block_id);
  const selected = 'selected_user' in action ? action.selected_user : undefined;
  await answer(ctx, { page: 0, userId: selected ? userId.parse(selected) : undefined, action: a }, respond, fromMessage(body));
}

/** `audit:action`: the action filter changed (the person filter in force is in the block id). */
export async function filterAuditByAction({ ctx, action, body, respond }: ActionArgs) {
  const { u } = filterBlock.parse(action.block_id);
  const value = 'selected_option' in action ? action.selected_option?.value : undefined;
  const picked = value && value !== ALL_ACTIONS ? actionCode.parse(value) : undefined;
  await answer(ctx, { page: 0, userId: u, action: picked }, respond, fromMessage(body));
}
