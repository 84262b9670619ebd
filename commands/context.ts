/**
 * What every handler gets: the deps, who is acting (lazily loaded roles), their language, and a
 * `reply` that reaches them whatever the surface (response_url, ephemeral in a channel, or DM).
 * `handle` wraps a handler: DomainErrors become a clear message in the user's language; anything
 * else is logged with a reference id and the user sees that id, never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import type { AckFn, RespondFn, ViewResponseAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Deps } from '../src/domain/deps';
import type { Actor } from '../src/domain/permissions';
import { loadActor } from '../src/domain/members';
import { DomainError, ValidationError } from '../src/domain/errors';
import { translator, type Locale, type T } from '../src/i18n';
import { inputErrors } from './view-values';

export interface Ctx {
  deps: Deps;
  teamId: string;
  userId: string;
  locale: Locale;
  t: T;
  client: WebClient;
  actor(): Promise<Actor>;
  reply(msg: { text: string; blocks?: KnownBlock[] }): Promise<void>;
}

export interface Surface {
  teamId: string;
  userId: string;
  client: WebClient;
  respond?: RespondFn;
  channelId?: string;
  /**
   * Acked already (a button, a command, an event): the actor may wait this long for Slack's facts
   * about someone not read yet. Before an ack (a modal submission, an options request): 0.
   */
  factsWaitMs?: number;
}

/** After an ack, within a trigger_id's 3 s: long enough for a paced lookup, short enough for views.open. */
export const AFTER_ACK_FACTS_WAIT_MS = 1_500;

/**
 * The handler's context. Never asks Slack (safe before an ack): the language comes from the user
 * directory or the org's language, and the actor's roles from the database (Slack's facts about
 * someone without a role from the directory, see loadActor).
 */
export async function makeCtx(deps: Deps, s: Surface): Promise<Ctx> {
  const locale = await deps.slack.localeOf(s.teamId, s.userId);
  let actor: Promise<Actor> | undefined;
  return {
    deps,
    teamId: s.teamId,
    userId: s.userId,
    locale,
    t: translator(locale),
    client: s.client,
    actor: () => (actor ??= loadActor(deps, s.teamId, s.userId, { waitMs: s.factsWaitMs ?? 0 })),
    async reply(msg) {
      if (s.respond) {
        await s.respond({ response_type: 'ephemeral', replace_original: false, ...msg });
      } else if (s.channelId && !s.channelId.startsWith('D')) {
        await s.client.chat.postEphemeral({ channel: s.channelId, user: s.userId, ...msg });
      } else {
        await s.client.chat.postMessage({ channel: s.userId, ...msg });
      }
    },
  };
}

export function errorRef(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

/** Text for a DomainError in the user's language: mrkdwn, or with `as: 'plain'` for a plain_text field. */
export function domainErrorText(t: T, err: DomainError, as: 'mrkdwn' | 'plain' = 'mrkdwn'): string {
  const vars = { ...err.vars } as Record<string, unknown>;
  if (err.messageKey === 'common.refused' && typeof vars.action === 'string') {
    vars.action = t.plain(`actions.${vars.action.replace('.', '_')}`);
  }
  return as === 'plain' ? t.plain(err.messageKey, vars) : t(err.messageKey, vars);
}

export async function handle(ctx: Ctx, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    await reportError(ctx, err);
  }
}

export async function reportError(ctx: Ctx, err: unknown): Promise<void> {
  let text: string;
  if (err instanceof DomainError) {
    text = domainErrorText(ctx.t, err);
  } else if (err instanceof ZodError) {
    // a value Slack never sends for our own buttons (a crafted or outdated payload): invalid input,
    // not a failure of ours
    ctx.deps.logger.info({ teamId: ctx.teamId, userId: ctx.userId, issues: err.issues.map((i) => i.code) }, 'refused a malformed value');
    text = ctx.t('common.malformed');
  } else {
    const ref = errorRef();
    ctx.deps.logger.error({ err, ref, teamId: ctx.teamId, userId: ctx.userId }, 'handler failed');
    text = ctx.t('common.error', { ref });
  }
  try {
    await ctx.reply({ text });
  } catch (replyErr) {
    ctx.deps.logger.warn({ err: replyErr, teamId: ctx.teamId }, 'could not tell the user about an error');
  }
}

/**
 * A modal submission that failed: field errors under their fields, a domain refusal under
 * `field`, anything else closes the modal and is reported with a reference id.
 */
export async function ackSubmissionError(ack: AckFn<void> | AckFn<ViewResponseAction>, ctx: Ctx, err: unknown, field: string) {
  const answer = ack as (r?: ViewResponseAction) => Promise<void>;
  if (err instanceof ValidationError) {
    await answer({ response_action: 'errors', errors: inputErrors(ctx.t, err) });
  } else if (err instanceof DomainError) {
    await answer({ response_action: 'errors', errors: { [field]: domainErrorText(ctx.t, err, 'plain') } });
  } else {
    await answer();
    await reportError(ctx, err);
  }
}
