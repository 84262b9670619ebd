/**
 * Single-workspace mode (SLACK_BOT_TOKEN, no OAuth) serves only the workspace the bot token belongs
 * to. Bolt's fixed-token authorize accepts any team id a signed request claims, so a request claiming
 * another team would run the handlers for an org of that id, with the one bot token (and the first
 * Slack admin to use it would become its first org admin). This global middleware, registered before
 * every listener, stops such a request: no handler runs, it is acknowledged empty, and logged at info.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

export function onlyInstalledTeam(installedTeamId: string, logger: Logger): Middleware<AnyMiddlewareArgs> {
  const log = logger.child({ component: 'single-workspace' });
  return async (args) => {
    const { context, next } = args;
    if (context.teamId === installedTeamId) return next();
    log.info(
      { teamId: context.teamId ?? null, enterpriseId: context.enterpriseId ?? null, installedTeamId },
      'request from another workspace ignored',
    );
    // events are acknowledged by Bolt before the middleware; everything else is acknowledged here
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  };
}
