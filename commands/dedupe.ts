/**
 * Slack retries (X-Slack-Retry-Num) must not act twice. Every event is recorded by event_id and
 * every interaction by trigger_id in `deliveries` (a unique _id, TTL one day); a delivery whose key
 * is already there is acknowledged and dropped. Recording an interaction is not awaited before the
 * handler runs (it costs the ack nothing); a retry, which Slack sends only after 3 s, does wait.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { isDuplicateKey } from '../src/storage/db';

function deliveryKey(body: Record<string, unknown>): string | null {
  const team = (body.team_id as string) ?? ((body.team as { id?: string } | undefined)?.id ?? '') ?? '';
  if (typeof body.event_id === 'string') return `${team}:event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `${team}:trigger:${body.trigger_id}`;
  return null;
}

export function dedupeMiddleware(deps: Deps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args as AnyMiddlewareArgs & { next: () => Promise<void>; context: { retryNum?: number } };
    const key = deliveryKey(body as unknown as Record<string, unknown>);
    if (!key) return next();
    const record = deps.store.deliveries.insertOne({ _id: key, at: deps.clock() }).then(
      () => true,
      (err) => {
        if (isDuplicateKey(err)) return false;
        deps.logger.warn({ err }, 'could not record a Slack delivery');
        return true;
      },
    );
    const isRetry = Boolean(context.retryNum) || typeof (body as { event_id?: unknown }).event_id === 'string';
    if (isRetry) {
      const fresh = await record;
      if (!fresh) {
        deps.logger.info({ key, retryNum: context.retryNum }, 'dropped a repeated Slack delivery');
        const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
        if (ack) await ack();
        return;
      }
    }
    await next();
  };
}
