/**
 * `/ats link <medium>`, `/ats accounts`, the account buttons and the link modal. Thin: parse with
 * zod, call src/domain/accounts, render with views/. The server refuses non-admins whatever
 * payload they craft (authorize in the domain), and the refusal is audit-logged.
 */
import type { BlockAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { MEDIA, type FieldKey, type Medium } from '../src/vocabulary';
import { authorize } from '../src/domain/access';
import { linkAccount, reenterCredentials, setPaused, unlinkAccount as unlinkMediaAccount, getAccount } from '../src/domain/accounts';
import { parseLinkForm } from '../src/domain/credentials';
import { listAccounts } from '../src/domain/account-list';
import { getOrg } from '../src/domain/orgs';
import { decide } from '../src/domain/permissions';
import { ValidationError } from '../src/domain/errors';
import { linkModal } from '../views/link';
import { accountsMessage } from '../views/accounts';
import type { CommandArgs } from './ats';
import { ackSubmissionError, type Ctx } from './context';
import { buttonValue, type ActionArgs, type ViewArgs } from './dispatch';
import { inputErrors, viewValue } from './view-values';
import { publishHome } from './home';
import { truncateText } from '../src/text';

const mediumSchema = z.enum(MEDIA);
const accountIdSchema = z.string().regex(/^[a-f0-9]{24}$/);
const metadataSchema = z.object({ medium: mediumSchema, accountId: accountIdSchema.optional() });

function mediaList(ctx: Ctx) {
  return MEDIA.map((m) => `\`${m}\` (${ctx.t(`media.${m}`)})`).join(', ');
}

async function openLinkModal(ctx: Ctx, triggerId: string, medium: Medium, accountId?: string) {
  await authorize(ctx.deps, await ctx.actor(), 'accounts.manage', {}, { medium, accountId });
  const label = accountId ? (await getAccount(ctx.deps, ctx.teamId, accountId)).label : undefined;
  await ctx.client.views.open({ trigger_id: triggerId, view: linkModal(ctx.t, medium, { accountId, label }) });
}

export async function accountsReply(ctx: Ctx, page = 0) {
  const actor = await ctx.actor();
  await authorize(ctx.deps, actor, 'accounts.view');
  const [org, accounts] = await Promise.all([getOrg(ctx.deps, ctx.teamId), listAccounts(ctx.deps, ctx.teamId)]);
  return accountsMessage(ctx.t, accounts, { canManage: decide(actor, 'accounts.manage').allowed, zone: org.zone, page });
}

/** `/ats link [medium]`: the link modal for a medium, or which media there are. */
export async function linkCommand({ ctx, command, args }: CommandArgs) {
  if (!args[0]) {
    await ctx.reply({ text: ctx.t('media.which', { media: mediaList(ctx) }) });
    return;
  }
  const medium = mediumSchema.safeParse(args[0].normalize('NFKC').toLowerCase());
  if (!medium.success) {
    await ctx.reply({ text: ctx.t('media.unknown', { medium: truncateText(args[0], 40), media: mediaList(ctx) }) });
    return;
  }
  await openLinkModal(ctx, command.trigger_id, medium.data);
}

/** `/ats accounts` */
export async function accountsCommand({ ctx }: CommandArgs) {
  await ctx.reply(await accountsReply(ctx));
}

/** The link modal submitted (`acct:save`): a new account, or new credentials for one. */
export async function submitLink({ ack, view, ctx }: ViewArgs) {
  const deps = ctx.deps;
  const meta = (() => {
    try {
      return metadataSchema.safeParse(JSON.parse(view.private_metadata || '{}'));
    } catch {
      return metadataSchema.safeParse(null);
    }
  })();
  if (!meta.success) {
    await ack({ response_action: 'errors', errors: { label: ctx.t('common.invalidInput', { detail: 'metadata' }) } });
    return;
  }
  const { medium, accountId } = meta.data;
  const fields: Partial<Record<FieldKey, string>> = {};
  for (const f of ['api_key', 'email', 'password', 'company_id', 'user_id'] as const) fields[f] = viewValue(view, f);
  const form = parseLinkForm(medium, { label: viewValue(view, 'label'), fields });
  if (!form.ok) {
    await ack({ response_action: 'errors', errors: inputErrors(ctx.t, new ValidationError(form.errors)) });
    return;
  }
  try {
    const actor = await ctx.actor();
    const account = accountId
      ? await reenterCredentials(deps, actor, { accountId, credentials: form.credentials, label: form.label })
      : (
          await linkAccount(deps, actor, {
            medium,
            label: form.label,
            credentials: form.credentials,
            requestId: view.id,
            defaultLabel: (n) => ctx.t('link.defaultLabel', { n }),
          })
        ).account;
    await ack();
    await ctx.reply({ text: ctx.t('link.started', { medium: ctx.t(`media.${medium}`), label: form.label ?? account.label }) });
  } catch (err) {
    await ackSubmissionError(ack, ctx, err, medium === 'wantedly' ? 'api_key' : 'password');
  }
}

/** `acct:page:prev|next`: another page of the accounts message (anyone who may see the accounts). */
export async function showAccountsPage({ ctx, action, respond }: ActionArgs) {
  const page = z.coerce.number().int().min(0).max(1000).catch(0).parse(buttonValue(action));
  if (respond) await respond({ replace_original: true, response_type: 'ephemeral', ...(await accountsReply(ctx, page)) });
}

// The account buttons below change something; the fresh list is then shown where the user clicked.

/** `acct:link:<medium>`: the link modal for that medium. */
export async function linkMedium({ ctx, action, body, respond }: ActionArgs) {
  const medium = mediumSchema.parse(buttonValue(action));
  await openLinkModal(ctx, body.trigger_id, medium);
  await refresh(ctx, body, respond);
}

/** `acct:reenter`: the link modal for new credentials of an account. */
export async function reenterAccount({ ctx, action, body, respond }: ActionArgs) {
  const account = await getAccount(ctx.deps, ctx.teamId, accountIdSchema.parse(buttonValue(action)));
  await openLinkModal(ctx, body.trigger_id, account.medium, String(account._id));
  await refresh(ctx, body, respond);
}

/** `acct:pause` */
export async function pauseAccount({ ctx, action, body, respond }: ActionArgs) {
  const a = await setPaused(ctx.deps, await ctx.actor(), accountIdSchema.parse(buttonValue(action)), true);
  await ctx.reply({ text: ctx.t('accounts.paused', { medium: ctx.t(`media.${a.medium}`), label: a.label }) });
  await refresh(ctx, body, respond);
}

/** `acct:resume` */
export async function resumeAccount({ ctx, action, body, respond }: ActionArgs) {
  const a = await setPaused(ctx.deps, await ctx.actor(), accountIdSchema.parse(buttonValue(action)), false);
  await ctx.reply({ text: ctx.t('accounts.resumed', { medium: ctx.t(`media.${a.medium}`), label: a.label }) });
  await refresh(ctx, body, respond);
}

/** `acct:unlink` (after Slack's confirmation dialog) */
export async function unlinkAccount({ ctx, action, body, respond }: ActionArgs) {
  const a = await unlinkMediaAccount(ctx.deps, await ctx.actor(), accountIdSchema.parse(buttonValue(action)));
  await ctx.reply({ text: ctx.t('accounts.unlinked', { medium: ctx.t(`media.${a.medium}`), label: a.label }) });
  await refresh(ctx, body, respond);
}

/** After a change, show the fresh state where the user clicked: the accounts message or the Home tab. */
async function refresh(ctx: Ctx, body: BlockAction, respond: RespondFn | undefined) {
  if (body.view?.type === 'home') await publishHome(ctx);
  else if (respond) await respond({ replace_original: true, response_type: 'ephemeral', ...(await accountsReply(ctx)) });
}
