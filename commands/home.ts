/** App Home: `app_home_opened` → views.publish of the dashboard; also refreshed after changes. */
import { loadDashboard } from '../src/domain/dashboard';
import { homeView } from '../views/home';
import { AFTER_ACK_FACTS_WAIT_MS, makeCtx, type Ctx } from './context';
import type { EventArgs } from './dispatch';

export async function publishHome(ctx: Ctx): Promise<void> {
  const data = await loadDashboard(ctx.deps, await ctx.actor());
  await ctx.client.views.publish({ user_id: ctx.userId, view: homeView(ctx.t, data) });
}

/** `app_home_opened` (the Home tab): the dashboard, published for the user. */
export async function appHomeOpened({ event, body, client, deps }: EventArgs<'app_home_opened'>) {
  if (event.tab !== 'home') return;
  // Bolt acked the event already: a good moment to read the person's Slack facts again if they are old
  deps.slack.refreshUser(body.team_id, event.user);
  const ctx = await makeCtx(deps, { teamId: body.team_id, userId: event.user, client, factsWaitMs: AFTER_ACK_FACTS_WAIT_MS });
  try {
    await publishHome(ctx);
  } catch (err) {
    deps.logger.error({ err, teamId: body.team_id }, 'home publish failed');
  }
}
