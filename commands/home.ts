/** App Home: `app_home_opened` → views.publish of the dashboard; also refreshed after changes. */
import type { App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { loadDashboard } from '../src/domain/dashboard';
import { homeView } from '../views/home';
import { makeCtx, type Ctx } from './context';

export async function publishHome(ctx: Ctx): Promise<void> {
  const data = await loadDashboard(ctx.deps, await ctx.actor());
  await ctx.client.views.publish({ user_id: ctx.userId, view: homeView(ctx.t, data) });
}

export function registerHome(app: App, deps: Deps) {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const ctx = await makeCtx(deps, { teamId: body.team_id, userId: event.user, client });
    try {
      await publishHome(ctx);
    } catch (err) {
      deps.logger.error({ err, teamId: body.team_id }, 'home publish failed');
    }
  });
}
