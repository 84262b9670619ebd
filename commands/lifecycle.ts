/** Install lifecycle events: app_uninstalled and tokens_revoked forget the tokens (Bolt does not). */
import type { App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { removeInstallation, removeUserTokens } from '../src/domain/installations';

export function registerLifecycle(app: App, deps: Deps, forget: (teamId: string) => void) {
  app.event('app_uninstalled', async ({ body }) => {
    await removeInstallation(deps, body.team_id);
    forget(body.team_id);
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    const tokens = event.tokens as { bot?: string[]; oauth?: string[] };
    if (tokens.bot?.length) {
      await removeInstallation(deps, body.team_id);
      forget(body.team_id);
    }
    if (tokens.oauth?.length) await removeUserTokens(deps, body.team_id, tokens.oauth);
  });
}
