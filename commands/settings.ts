/** `/ats settings` (org admins): the organization's time zone, the private-cards and the retention setting. */
import { authorize } from '../src/domain/access';
import { getOrg } from '../src/domain/orgs';
import { saveSettings } from '../src/domain/settings';
import { ValidationError } from '../src/domain/errors';
import { settingsModal } from '../views/settings';
import type { CommandArgs } from './ats';
import { reportError } from './context';
import type { ViewArgs } from './dispatch';
import { inputErrors, viewValue } from './view-values';
import { z } from 'zod';

const languageSchema = z.enum(['ja', 'en']);

/** `/ats settings` (org admins): the settings modal. */
export async function settingsCommand({ ctx, command }: CommandArgs) {
  await authorize(ctx.deps, await ctx.actor(), 'settings.manage');
  const org = await getOrg(ctx.deps, ctx.teamId);
  await ctx.client.views.open({
    trigger_id: command.trigger_id,
    view: settingsModal(ctx.t, {
      zone: org.zone,
      privateCards: org.settings.privateCards,
      retentionMonths: org.settings.retentionMonths ?? null,
      language: org.settings.language ?? 'ja',
    }),
  });
}

/** The settings modal submitted (`set:save`). */
export async function submitSettings({ ack, view, ctx }: ViewArgs) {
  try {
    await saveSettings(ctx.deps, await ctx.actor(), {
      zone: viewValue(view, 'zone') ?? '',
      privateCards: viewValue(view, 'cards') === 'private',
      // a modal opened before the setting existed has no such field: unchanged
      retention: view.state.values.retention ? (viewValue(view, 'retention') ?? '') : undefined,
      // absent (a modal opened before this field): unchanged
      language: languageSchema.optional().catch(undefined).parse(viewValue(view, 'language')),
    });
    await ack();
    await ctx.reply({ text: ctx.t('settings.saved') });
  } catch (err) {
    if (err instanceof ValidationError) await ack({ response_action: 'errors', errors: inputErrors(ctx.t, err) });
    else {
      await ack();
      await reportError(ctx, err);
    }
  }
}
