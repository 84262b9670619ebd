/**
 * Telling people things by DM, each in their own language. One message per person per event;
 * a failure to reach one person is logged and does not stop the others.
 */
import type { KnownBlock } from '@slack/types';
import type { Deps } from './deps';
import { translator, type T } from '../i18n';

export type MessageFn = (t: T) => { text: string; blocks?: KnownBlock[] };

export async function dmUser(deps: Deps, teamId: string, userId: string, build: MessageFn): Promise<boolean> {
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

export async function dmUsers(deps: Deps, teamId: string, userIds: Iterable<string>, build: MessageFn): Promise<number> {
  let sent = 0;
  for (const userId of new Set(userIds)) if (await dmUser(deps, teamId, userId, build)) sent++;
  return sent;
}

/** Everyone an import notice goes to: org admins, job admins and job members; never limited access. */
export async function importAudience(deps: Deps, teamId: string): Promise<string[]> {
  const [members, jobs] = await Promise.all([
    deps.store.members.find({ teamId }, { projection: { userId: 1, orgRole: 1 } }).toArray(),
    deps.store.jobs.find({ teamId }, { projection: { admins: 1, members: 1 } }).toArray(),
  ]);
  const limited = new Set(members.filter((m) => m.orgRole === 'limited').map((m) => m.userId));
  const people = new Set<string>(members.filter((m) => m.orgRole === 'org_admin').map((m) => m.userId));
  for (const j of jobs) for (const u of [...j.admins, ...j.members]) people.add(u);
  return [...people].filter((u) => !limited.has(u));
}
