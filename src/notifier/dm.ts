/**
 * Direct messages, each in its recipient's language (translator(locale), the locale from Slack).
 * One message per person per event; a failure to reach one person is logged and does not stop the
 * others. The message goes out on the gateway's posting client (no silent retry, a time limit):
 * chat.postMessage has no idempotency key, so a retried lost answer would send it twice, and a
 * client that retries for half an hour would hold the import run that is telling. A 429 (not
 * posted) is waited out and tried again; a refusal is not. After an answer that was lost or could
 * not be read, a message with metadata (the import notices) is looked up in the DM's history
 * (`im:history`) and posted again only if it is not there: exactly once. One without is not
 * retried: at most once.
 */
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackGateway } from '../domain/deps';
import { translator, type T } from '../i18n';
import { isSlackErrorCode } from '../slack/paced-poster';

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

const MAX_ATTEMPTS = 6;
const MAX_RETRY_AFTER_S = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Metadata = NonNullable<ReturnType<MessageFn>['metadata']>;

/** Whether the DM channel already holds a message with this metadata (undefined: the history did not answer). */
async function alreadySent(client: WebClient, channel: string, md: Metadata): Promise<boolean | undefined> {
  try {
    const res = await client.conversations.history({ channel, limit: 50, include_all_metadata: true });
    const key = JSON.stringify(md.event_payload);
    return (res.messages ?? []).some((m) => m.metadata?.event_type === md.event_type && JSON.stringify(m.metadata?.event_payload) === key);
  } catch {
    return undefined;
  }
}

/** `lookFirst`: the message (with metadata) may have been sent by a run that died: look in the history before the first post. */
export async function dmUser(
  deps: DmDeps,
  teamId: string,
  userId: string,
  build: MessageFn,
  opts: { lookFirst?: boolean } = {},
): Promise<boolean> {
  const client = await deps.slack.clientFor(teamId);
  if (!client) return false;
  try {
    const t = translator(await deps.slack.localeOf(teamId, userId));
    const open = await client.conversations.open({ users: userId });
    const channel = open.channel?.id;
    if (!channel) return false;
    const poster = (await deps.slack.postingClientFor(teamId)) ?? client;
    const msg = build(t);
    // after an answer that did not come back (or could not be read) the message may be there: a message
    // with metadata is looked up in the DM's history before it is posted again; one without is not retried
    let maybeSent = opts.lookFirst === true;
    for (let attempt = 1; ; attempt++) {
      if (maybeSent && msg.metadata) {
        const found = await alreadySent(client, channel, msg.metadata);
        if (found) return true;
        if (found === undefined) {
          if (attempt >= MAX_ATTEMPTS) throw new Error('DM not confirmed: the history did not answer');
          await sleep(attempt * 500);
          continue;
        }
      }
      try {
        await poster.chat.postMessage({ channel, ...msg });
        return true;
      } catch (err) {
        const e = err as { code?: string; retryAfter?: number; data?: { error?: string } };
        if (attempt >= MAX_ATTEMPTS) throw err;
        if (e.code === ErrorCode.RateLimitedError) {
          await sleep(Math.min(Math.max(e.retryAfter ?? 1, 1), MAX_RETRY_AFTER_S) * 1000);
          continue;
        }
        if (e.code === ErrorCode.PlatformError && isSlackErrorCode(e.data?.error)) throw err; // refused: not posted
        if (!msg.metadata) throw err;
        maybeSent = true;
        await sleep(attempt * 300);
      }
    }
  } catch (err) {
    deps.logger.warn({ err, teamId, userId }, 'could not send a DM');
    return false;
  }
}

export async function dmUsers(
  deps: DmDeps,
  teamId: string,
  userIds: Iterable<string>,
  build: MessageFn,
  opts: { lookFirst?: boolean } = {},
): Promise<number> {
  let sent = 0;
  for (const userId of new Set(userIds)) if (await dmUser(deps, teamId, userId, build, opts)) sent++;
  return sent;
}
