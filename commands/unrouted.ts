/**
 * A request no listener takes (a signed request for another slash command, an action_id or
 * callback_id of no feature, a shortcut, a modal closed) is acked here at once, before Bolt looks
 * for a listener: left alone, it would wait for Bolt's receiver to give up after 3 s and answer 404,
 * which Slack shows the user as an error. Slack only needs the ack; nothing else happens.
 *
 * The routes are the ones commands/index.ts registers its listeners with (one list for both), so
 * what this lets through is exactly what a listener takes. Events are acked by Bolt itself.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

export interface Routes {
  commands: string[];
  actions: RegExp[];
  views: RegExp[];
  options: RegExp[];
}

/** What a request is about, and whether a listener takes it; null for events (Bolt acks them). */
export function routed(body: Record<string, unknown>, routes: Routes): { kind: string; id: string; taken: boolean } | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const match = (res: RegExp[], id: string) => res.some((re) => re.test(id));
  if (typeof body.command === 'string') return { kind: 'command', id: body.command, taken: routes.commands.includes(body.command) };
  switch (body.type) {
    case 'block_actions': {
      const ids = (Array.isArray(body.actions) ? body.actions : []).map((a) => str((a as { action_id?: unknown })?.action_id));
      return { kind: 'action', id: ids.join(','), taken: ids.some((id) => match(routes.actions, id)) };
    }
    case 'view_submission': {
      const id = str((body.view as { callback_id?: unknown } | undefined)?.callback_id);
      return { kind: 'view', id, taken: match(routes.views, id) };
    }
    case 'block_suggestion': {
      const id = str(body.action_id);
      return { kind: 'options', id, taken: match(routes.options, id) };
    }
    case 'event_callback':
    case 'url_verification':
    case 'app_rate_limited':
      return null;
    default:
      // view_closed (no modal asks for it), shortcut, message_action, interactive_message…
      return { kind: str(body.type) || 'unknown', id: str(body.callback_id), taken: false };
  }
}

export function ackUnrouted(routes: Routes, logger: Pick<Logger, 'info'>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const r = routed(args.body as unknown as Record<string, unknown>, routes);
    if (!r || r.taken || !('ack' in args) || typeof args.ack !== 'function') return args.next();
    logger.info({ kind: r.kind, id: r.id.slice(0, 100) }, 'no listener for this request; acked');
    const ack = args.ack as (response?: unknown) => Promise<void>;
    await ack(r.kind === 'options' ? { options: [] } : undefined);
  };
}
