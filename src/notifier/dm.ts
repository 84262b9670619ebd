/**
 * Direct messages, each in its recipient's language (translator(locale), the locale from Slack).
 * One message per person per event; a failure to reach one person is logged and does not stop the
 * others.
 */
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import type { SlackGateway } from '../domain/deps';
import { translator, type T } from '../i18n';

/** `metadata`: Slack message metadata (https://docs.slack.dev/messaging/message-metadata), e.g. the run a notice tells of. */
export type MessageFn = (t: T) => {
  text: string;
  blocks?: KnownBlock[];
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
};

export interface DmDeps {
  slack: SlackGateway;
  logger: Pick<Logger, 'warn'>;
}

export async function dmUser(deps: DmDeps, teamId: string, userId: string, build: MessageFn): Promise<boolean> {
  const client = await deps.slack.clientFor(teamId);
  if (!client) return false;
  try {
    const t = translator(await deps.slack.localeOf(teamId, userId));
    const open = await client.conversations.open({ users: userId });
    const channel = open.channel?.id;
    if (!channel) return false;
    await client.chat.postMessage({ channel, ...build(t) });
    return true;
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
