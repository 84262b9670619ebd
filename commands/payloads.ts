/**
 * The shape of every Slack payload the app takes, checked with zod at the boundary (issue 13,
 * defect 5). A payload is refused when what every request of its kind has is missing or of another
 * type: a user and a team, a modal submission's view and its state, the actions of a click, an
 * options request's value, an event's object and the fields its handler reads. Bolt reads several of
 * these before any middleware runs (`body.user.id`, `'channel' in body.event`, `body.actions[0]`)
 * and throws on a crafted value, which Bolt's receiver answers with a 500, or with a 404 after 3 s
 * when nothing acks; so src/server.ts runs `payloadProblem` in front of Bolt's receiver
 * (src/request-guard.ts: 400 at once), and `refuseMalformed` runs it again as the first Bolt
 * middleware (for a receiver without the guard, and the handler tests).
 *
 * A field inside a modal's state of the wrong type is not a broken payload: the submission is
 * answered with an error under that field (commands/view-values.ts, `invalidFields`).
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { z } from 'zod';
import type { Deps } from '../src/domain/deps';

/** Slack ids and the ids this app gives its elements (Slack caps action_id and block_id at 255). */
const id = z.string().min(1).max(255);

/** What Bolt reads from any payload, before the app does (buildSource, getTypeAndConversation, respond). */
const common = {
  enterprise: z.looseObject({ id: z.string() }).nullish(),
  authorizations: z
    .array(
      z.looseObject({ team_id: z.string().nullish(), enterprise_id: z.string().nullish(), is_enterprise_install: z.boolean().optional() }),
    )
    .optional(),
  is_enterprise_install: z.union([z.boolean(), z.string()]).optional(),
  response_url: z.string().optional(),
  response_urls: z.array(z.looseObject({ response_url: z.string() })).optional(),
  trigger_id: z.string().max(255).optional(),
  function_data: z.looseObject({}).optional(),
};

/** An interaction (a click, a submission, an options request): who, in which workspace. */
const interaction = {
  ...common,
  user: z.looseObject({ id, team_id: id.optional() }),
  team: z.looseObject({ id, enterprise_id: z.string().nullish() }).nullish(),
  channel: z.looseObject({ id }).optional(),
  container: z.looseObject({}).optional(),
};
const hasTeam = (b: { team?: { id: string } | null; user: { team_id?: string } }) => Boolean(b.team?.id ?? b.user.team_id);
const teamMessage = { message: 'no team: neither team.id nor user.team_id' };

const viewRef = z.looseObject({
  id,
  type: z.string().optional(),
  callback_id: z.string().max(255).optional(),
  private_metadata: z.string().optional(),
  app_installed_team_id: z.string().optional(),
});

const blockActions = z
  .looseObject({
    ...interaction,
    actions: z.array(z.looseObject({ action_id: id, block_id: z.string().max(255).optional(), type: z.string().optional() })).min(1),
    view: viewRef.optional(),
  })
  .refine(hasTeam, teamMessage);

const viewSubmission = z
  .looseObject({
    ...interaction,
    view: viewRef.extend({
      callback_id: z.string().max(255),
      state: z.looseObject({ values: z.record(z.string(), z.unknown()) }),
    }),
  })
  .refine(hasTeam, teamMessage);

const viewClosed = z.looseObject({ ...interaction, view: viewRef }).refine(hasTeam, teamMessage);

const blockSuggestion = z
  .looseObject({
    ...interaction,
    action_id: id,
    block_id: z.string().max(255).optional(),
    value: z.string(),
    view: viewRef.optional(),
  })
  .refine(hasTeam, teamMessage);

const slashCommand = z.looseObject({
  ...common,
  command: z.string().min(1).max(255),
  text: z.string(),
  team_id: id,
  user_id: id,
  channel_id: id,
  enterprise_id: z.string().optional(),
});

/** What Bolt reads from any event (the user, the channel, the item), and what the handlers read from theirs. */
const anyEvent = z.looseObject({
  type: z.string().min(1),
  user: z.union([z.string(), z.looseObject({ id: z.string() })]).optional(),
  channel: z.union([z.string(), z.looseObject({})]).optional(),
  item: z.looseObject({}).optional(),
  subteam: z.looseObject({}).optional(),
});
const handledEvents: Record<string, z.ZodType> = {
  app_home_opened: z.looseObject({ user: id, tab: z.string().optional() }),
  member_joined_channel: z.looseObject({ user: id, channel: id }),
  tokens_revoked: z.looseObject({
    tokens: z.looseObject({ bot: z.array(z.string()).optional(), oauth: z.array(z.string()).optional() }),
  }),
  app_uninstalled: z.looseObject({}),
};
const eventCallback = z
  .looseObject({ ...common, team_id: id, event: anyEvent, event_id: z.string().max(255).optional() })
  .superRefine((b, ctx) => {
    const schema = Object.hasOwn(handledEvents, b.event.type) ? handledEvents[b.event.type] : undefined;
    const r = schema?.safeParse(b.event);
    for (const issue of r?.success === false ? r.error.issues : [])
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['event', ...issue.path] });
  });

/** Which of the schemas a body is checked against: Bolt's own classification (getTypeAndConversation), then `type`. */
function schemaFor(body: Record<string, unknown>): { kind: string; schema: z.ZodType } | undefined {
  const type = body.type;
  if (body.event !== undefined || type === 'event_callback') return { kind: 'event', schema: eventCallback };
  if (body.command !== undefined) return { kind: 'command', schema: slashCommand };
  if (body.name !== undefined || type === 'block_suggestion') return { kind: 'options', schema: blockSuggestion };
  if (body.actions !== undefined || type === 'block_actions') return { kind: 'action', schema: blockActions };
  if (type === 'view_submission') return { kind: 'view', schema: viewSubmission };
  if (type === 'view_closed') return { kind: 'view_closed', schema: viewClosed };
  // what Bolt's receiver answers itself, and the shortcuts (the catch-all acks them)
  if (type === 'url_verification' || body.ssl_check === '1') return undefined;
  if (type === 'shortcut' || type === 'message_action' || type === 'dialog_submission') return undefined;
  // a body of no kind Bolt knows: Bolt would run nothing and ack nothing (404 after 3 s)
  return { kind: 'unknown', schema: z.never() };
}

export interface PayloadProblem {
  kind: string;
  /** The paths of what is wrong (`user.id`, `view.state`), at most five: for the log, never shown. */
  paths: string[];
}

/** What is wrong with a parsed Slack request body, or null when it has the shape the app and Bolt read. */
export function payloadProblem(body: unknown): PayloadProblem | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { kind: 'unknown', paths: ['(body)'] };
  const s = schemaFor(body as Record<string, unknown>);
  if (!s) return null;
  const r = s.schema.safeParse(body);
  if (r.success) return null;
  const paths = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.').slice(0, 100) || '(body)'))].slice(0, 5);
  return { kind: s.kind, paths };
}

/**
 * The first Bolt middleware: a payload without the shape of its kind is acknowledged empty (events
 * are acknowledged by Bolt already), logged at info and goes no further.
 */
export function refuseMalformed(deps: Pick<Deps, 'logger'>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const problem = payloadProblem(args.body);
    if (!problem) return args.next();
    deps.logger.info({ ...problem }, 'refused a malformed Slack payload');
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  };
}
