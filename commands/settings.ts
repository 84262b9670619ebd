/** `/ats settings` (org admins): the organization's time zone and the private-cards setting. */
import type { App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { authorize } from '../src/domain/access';
import { getOrg } from '../src/domain/orgs';
import { saveSettings } from '../src/domain/settings';
import { ValidationError } from '../src/domain/errors';
import { settingsModal, SETTINGS_CALLBACK } from '../views/settings';
import { addRoute } from './ats';
import { makeCtx, reportError } from './context';
import { inputErrors, viewValue } from './view-values';

addRoute('settings', async ({ ctx, command }) => {
  await authorize(ctx.deps, await ctx.actor(), 'settings.manage');
  const org = await getOrg(ctx.deps, ctx.teamId);
  await ctx.client.views.open({ trigger_id: command.trigger_id, view: settingsModal(ctx.t, { zone: org.zone, privateCards: org.settings.privateCards }) });
});

export function registerSettings(app: App, deps: Deps) {
  app.view(SETTINGS_CALLBACK, async ({ ack, body, view, client }) => {
    const teamId = body.team?.id ?? body.user.team_id!;
    const ctx = await makeCtx(deps, { teamId, userId: body.user.id, client });
    try {
      await saveSettings(deps, await ctx.actor(), { zone: viewValue(view, 'zone') ?? '', privateCards: viewValue(view, 'cards') === 'private' });
      await ack();
      await ctx.reply({ text: ctx.t('settings.saved') });
    } catch (err) {
      if (err instanceof ValidationError) await ack({ response_action: 'errors', errors: inputErrors(ctx.t, err) });
      else {
        await ack();
        await reportError(ctx, err);
      }
    }
  });
}
