/**
 * Install lifecycle events: app_uninstalled and tokens_revoked (the bot's) forget the tokens at once
 * (Bolt does not) and mark the org for the purge of its data after the grace period
 * (src/domain/org-purge.ts); a reinstall before then cancels it.
 */
import { removeInstallation, removeUserTokens } from '../src/domain/installations';
import { markUninstalled } from '../src/domain/org-purge';
import type { EventArgs } from './dispatch';

/** Drops the cached client of a workspace (src/slack/gateway.ts). */
type Forget = { forget: (teamId: string) => void };

/** `app_uninstalled` */
export async function appUninstalled({ body, deps, forget }: EventArgs<'app_uninstalled'> & Forget) {
  await removeInstallation(deps, body.team_id);
  forget(body.team_id);
  await markUninstalled(deps, body.team_id);
}

/** `tokens_revoked`: the bot token (the app is gone from the workspace) and/or users' tokens. */
export async function tokensRevoked({ body, event, deps, forget }: EventArgs<'tokens_revoked'> & Forget) {
  const tokens = event.tokens as { bot?: string[]; oauth?: string[] };
  if (tokens.bot?.length) {
    await removeInstallation(deps, body.team_id);
    forget(body.team_id);
    await markUninstalled(deps, body.team_id);
  }
  if (tokens.oauth?.length) await removeUserTokens(deps, body.team_id, tokens.oauth);
}
