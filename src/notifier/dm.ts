/**
 * Direct messages, each in its recipient's language (translator(locale), the locale from Slack).
 * One message per person per event; a failure to reach one person is logged and does not stop the
 * others. The message goes out on the gateway's posting client (no silent retry, a time limit):
 * chat.postMessage has no idempotency key, so a retried lost answer would send it twice, and a
 * client that retries for half an hour would hold the import run that is telling. A 429 (not
 * posted) is waited out and tried again; any other failure is not retried: at most once.
 */
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackGateway } from '../domain/deps';
import { translator, type T } from '../i18n';

/** `metadata`: Slack message metadata (https://docs.slack.dev/messaging/message-metadata), e.g. the run a notice tells of. */
export type MessageFn = (t: T) => {
  text: string;
  blocks?: KnownBlock[];
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
};

export interface DmDeps {
  slack: SlackGateway & { postingClientFor(teamId: string): Promise<WebClient | null> };
  logger: Pick<Logger, 'warn'>;
}

const MAX_RATE_LIMITED = 5;
const MAX_RETRY_AFTER_S = 30;

export async function dmUser(deps: DmDeps, teamId: string, userId: string, build: MessageFn): Promise<boolean> {
  const client = await deps.slack.clientFor(teamId);
  if (!client) return false;
  try {
    const t = translator(await deps.slack.localeOf(teamId, userId));
    const open = await client.conversations.open({ users: userId });
    const channel = open.channel?.id;
    if (!channel) return false;
    const poster = (await deps.slack.postingClientFor(teamId)) ?? client;
    const msg = build(t);
    for (let attempt = 0; ; attempt++) {
      try {
        await poster.chat.postMessage({ channel, ...msg });
        return true;
      } catch (err) {
        const e = err as { code?: string; retryAfter?: number };
        if (e.code !== ErrorCode.RateLimitedError || attempt >= MAX_RATE_LIMITED) throw err;
        await new Promise((r) => setTimeout(r, Math.min(Math.max(e.retryAfter ?? 1, 1), MAX_RETRY_AFTER_S) * 1000));
      }
    }
  } catch (err) {
    deps.logger.warn({ err, teamId, userId }, 'could not send a DM');
    return false;
  }
}

export async function dmUsers(deps: DmDeps, teamId: string, userIds: Iterable<string>, build: MessageFn): Promise<number> {
  let sent = 0;
  for (const userId of new Set(userIds)) if (await dmUser(deps, teamId, userId, build)) sent++;
  return sent;
}
