/**
 * Bolt listeners for a feature. Every action_id and callback_id carries its feature's prefix
 * (`acct:pause`, `map:rule:add`, `role:save`); commands/index.ts registers one Bolt listener per
 * feature and kind, with a RegExp on the prefix, and the listener picks the handler from the
 * feature's table by the id, the way the `/ats` router picks a subcommand. Bolt does the matching,
 * the middleware chain and the error handling; this only picks and wraps the handler.
 *
 * A table key is an id, or an id without its last `:<arg>` (`acct:link:green` → `acct:link`:
 * Slack refuses one action_id twice in a block, so the link buttons carry the medium in the id).
 * An id of the feature that no handler takes (a crafted payload, a button of a feature that changed)
 * is answered with `common.malformed` and logged at info, never thrown.
 *
 * Each handler is Bolt's listener arguments plus `ctx` (commands/context.ts): the acting user's
 * deps, language, roles and a `reply` to where they are. Buttons and selects are acked before the
 * handler runs (nothing goes in their ack); view submissions and options requests ack in the handler
 * (field errors, the options list).
 */
import type {
  AllMiddlewareArgs,
  BlockAction,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../src/domain/deps';
import { AFTER_ACK_FACTS_WAIT_MS, handle, makeCtx, reportError, type Ctx, type Surface } from './context';
import { escapeRegExp } from '../src/text';
import { invalidFields } from './view-values';

export type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs & { ctx: Ctx };
export type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs & { ctx: Ctx };
export type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs & { ctx: Ctx };
/** An event handler's arguments: Bolt's, and the deps (an event has no user to answer). */
export type EventArgs<E extends string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs & { deps: Deps };

export type ActionHandler = (a: ActionArgs) => Promise<void>;
export type ViewHandler = (a: ViewArgs) => Promise<void>;
export type OptionsHandler = (a: OptionsArgs) => Promise<void>;

/** id → handler (keys are ids without their `:<arg>`). */
export type Table<H> = Readonly<Record<string, H>>;
/** Old id (or old id before its `:<arg>`) → today's id, for buttons in messages posted before the prefixes. */
export type Aliases = Readonly<Record<string, string>>;

/**
 * The RegExp a feature's listener is registered with: ids `<prefix>:…`, and the old ids that are
 * aliases of ids of this feature (exactly, or followed by `:<arg>`).
 */
export function ids(prefix: string, aliases: Aliases = {}): RegExp {
  const old = Object.keys(aliases).filter((k) => aliases[k].startsWith(`${prefix}:`));
  const alternatives = [`${escapeRegExp(prefix)}:`, ...old.map((k) => `${escapeRegExp(k)}(?::|$)`)];
  return new RegExp(`^(?:${alternatives.join('|')})`);
}

/** Today's id for an old one (`account_link:green` → `acct:link:green`); any other id as it is. */
export function currentId(id: string, aliases: Aliases = {}): string {
  const sep = id.indexOf(':');
  const base = sep < 0 ? id : id.slice(0, sep);
  const to = Object.hasOwn(aliases, base) ? aliases[base] : undefined;
  return to === undefined ? id : to + (sep < 0 ? '' : id.slice(sep));
}

/** The handler for an id: the id itself, or the id without its last `:<arg>`. */
export function pick<H>(table: Table<H>, id: string, aliases: Aliases = {}): H | undefined {
  const current = currentId(id, aliases);
  if (Object.hasOwn(table, current)) return table[current];
  const last = current.lastIndexOf(':');
  const base = last < 0 ? undefined : current.slice(0, last);
  return base !== undefined && Object.hasOwn(table, base) ? table[base] : undefined;
}

/** A button's value ('' for another element, or a button without one). */
export function buttonValue(action: BlockAction['actions'][number]): string {
  return 'value' in action && typeof action.value === 'string' ? action.value : '';
}

const teamOf = (body: { team?: { id: string } | null; user: { team_id?: string } }) => body.team?.id ?? body.user.team_id!;

/**
 * Where a click is answered: a click in an ephemeral message through its response_url (the only way
 * to reach it, and `replace_original` replaces it); in a channel, an ephemeral message there; from a
 * modal, App Home or a DM, a DM.
 */
export function actionSurface(body: BlockAction, client: WebClient, respond: RespondFn | undefined): Surface {
  const ephemeral = body.container?.type === 'message' && body.container?.is_ephemeral === true;
  return {
    teamId: teamOf(body),
    userId: body.user.id,
    client,
    respond: ephemeral ? respond : undefined,
    channelId: body.channel?.id,
    factsWaitMs: AFTER_ACK_FACTS_WAIT_MS,
  };
}

async function unknownId(ctx: Ctx, kind: string, id: string) {
  ctx.deps.logger.info({ teamId: ctx.teamId, userId: ctx.userId, kind, id: id.slice(0, 100) }, 'no handler for this id');
  await ctx.reply({ text: ctx.t('common.malformed') });
}

/** The Bolt listener for a feature's buttons and selects (`app.action(ids(prefix), actions(…))`). */
export function actions(deps: Deps, table: Table<ActionHandler>, aliases: Aliases = {}) {
  return async (args: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await args.ack();
    const ctx = await makeCtx(deps, actionSurface(args.body, args.client, args.respond));
    const id = args.action.action_id;
    const handler = pick(table, id, aliases);
    if (!handler) return handle(ctx, () => unknownId(ctx, 'action', id));
    await handle(ctx, () => handler({ ...args, ctx }));
  };
}

/** How long a modal submission may work before it is acked anyway (Slack gives up at 3 s). */
export const DEFAULT_ACK_BUDGET_MS = 2_000;

/** The first input block of a submitted view: where "still saving" is shown. */
function firstInput(view: ViewSubmitAction['view']): string | undefined {
  const blocks = (view as { blocks?: { type?: string; block_id?: string }[] }).blocks ?? [];
  return blocks.find((b) => b.type === 'input' && typeof b.block_id === 'string')?.block_id;
}

/**
 * The Bolt listener for a feature's modal submissions. The handler acks (with field errors, or
 * not); one that throws before acking has the modal closed and the error reported with a reference.
 * Nothing before the ack asks Slack (makeCtx reads the directory). A handler still working when
 * `ackBudgetMs` has passed (a slow database) is acked for it with "still saving" under the first
 * field, the modal kept open: its writes are keyed by the view id, so submitting again is the same
 * request and answers what the first one did. What the handler acks later is dropped; what it
 * replies after its ack (a DM) still reaches the user.
 */
export function views(deps: Deps, table: Table<ViewHandler>, opts: { ackBudgetMs?: number } = {}) {
  const budget = opts.ackBudgetMs ?? DEFAULT_ACK_BUDGET_MS;
  return async (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const { body, client } = args;
    let acked = false;
    let ctx: Ctx | undefined;
    const ack = (response?: ViewResponseAction) => {
      if (acked) return Promise.resolve();
      acked = true;
      clearTimeout(timer);
      return args.ack(response);
    };
    const timer = setTimeout(() => {
      if (acked) return;
      const field = firstInput(args.view);
      deps.logger.warn(
        { teamId: teamOf(body), id: args.view.callback_id, budgetMs: budget },
        'modal submission still working at its ack budget; acked',
      );
      void ack(ctx && field ? { response_action: 'errors', errors: { [field]: ctx.t('ackFirst.stillSaving') } } : undefined).catch(
        (err: unknown) => deps.logger.warn({ err }, 'late ack failed'),
      );
    }, budget);
    try {
      ctx = await makeCtx(deps, { teamId: teamOf(body), userId: body.user.id, client });
      const id = args.view.callback_id;
      const handler = pick(table, id);
      if (!handler) {
        await ack();
        return handle(ctx, () => unknownId(ctx!, 'view', id));
      }
      const invalid = invalidFields(args.view);
      if (invalid.length) {
        // a crafted submission (a number for a text, a string for a user list): an error under each such field
        deps.logger.info(
          { teamId: ctx.teamId, userId: ctx.userId, id, fields: invalid.slice(0, 5).map((b) => b.slice(0, 100)) },
          'refused a modal value of the wrong type',
        );
        const text = ctx.t.plain('payload.wrongType');
        await ack({ response_action: 'errors', errors: Object.fromEntries(invalid.slice(0, 100).map((b) => [b, text])) });
        return;
      }
      await handler({ ...args, ack, ctx });
    } catch (err) {
      if (!acked) await ack();
      if (ctx) await reportError(ctx, err);
      else deps.logger.error({ err, teamId: teamOf(body) }, 'modal submission failed before its context');
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The Bolt listener for a feature's external-select options. A failure or an unknown id answers an
 * empty list (Slack shows "no results"), logged.
 */
export function options(deps: Deps, table: Table<OptionsHandler>) {
  return async (args: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const { body, client } = args;
    const id = args.payload.action_id;
    const handler = pick(table, id);
    if (!handler) {
      deps.logger.info({ teamId: teamOf(body), id: id.slice(0, 100) }, 'no options handler for this id');
      await args.ack({ options: [] });
      return;
    }
    let acked = false;
    const ack: typeof args.ack = (response) => {
      acked = true;
      return args.ack(response);
    };
    try {
      const ctx = await makeCtx(deps, { teamId: teamOf(body), userId: body.user.id, client });
      await handler({ ...args, ack, ctx });
    } catch (err) {
      deps.logger.warn({ err, teamId: teamOf(body), id }, 'options request failed');
      if (!acked) await args.ack({ options: [] });
    }
  };
}
