/**
 * The notifier (the domain's Notifier port, src/domain/deps.ts): renders the views' messages in
 * each recipient's language and sends them by DM through the Slack gateway. The domain decides
 * whom to tell and with what facts; nothing here decides.
 */
import type { Notifier } from '../domain/deps';
import { translator } from '../i18n';
import { importFailureMessage, importFinishedMessage, importRecoveredMessage } from '../../views/import-notices';
import { linkResultMessage } from '../../views/link';
import { channelProblemMessage } from '../../views/jobs';
import { dmUser, dmUsers, type DmDeps } from './dm';

export function createNotifier(deps: DmDeps): Notifier {
  return {
    importFinished: (teamId, userIds, facts) =>
      dmUsers(
        deps,
        teamId,
        userIds,
        (t) => ({
          ...importFinishedMessage(t, facts),
          metadata: { event_type: 'hire_relay_import_finished', event_payload: { runId: facts.runId, created: facts.run.created } },
        }),
        { lookFirst: facts.takeover ?? false },
      ),
    importFailed: (teamId, userIds, facts) =>
      dmUsers(deps, teamId, userIds, (t) => ({
        ...importFailureMessage(t, facts),
        metadata: { event_type: 'hire_relay_import_failed', event_payload: { runId: facts.runId, reason: facts.reason } },
      })),
    importRecovered: (teamId, userIds, facts) => dmUsers(deps, teamId, userIds, (t) => importRecoveredMessage(t, facts)),
    linkResult: async (teamId, userId, facts) => ((await dmUser(deps, teamId, userId, (t) => linkResultMessage(t, facts))) ? 1 : 0),
    channelProblem: (teamId, userIds, facts) => dmUsers(deps, teamId, userIds, (t) => channelProblemMessage(t, facts)),
    async welcome(teamId, userId) {
      // posted to the user's id, which Slack shows in the app's DM with them
      const client = await deps.slack.clientFor(teamId);
      const t = translator(await deps.slack.localeOf(teamId, userId));
      await client?.chat.postMessage({ channel: userId, text: t('install.welcome') }).catch(() => undefined);
    },
  };
}
