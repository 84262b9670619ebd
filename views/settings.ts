/** The organization settings modal (org admins): time zone, private cards, retention (months, empty = off), the org's language. */
import type { ModalView, PlainTextOption } from '@slack/types';
import type { T } from '../src/i18n';
import { plain } from './blocks';

export const SETTINGS_CALLBACK = 'set:save';

export function settingsModal(
  t: T,
  s: { zone: string; privateCards: boolean; retentionMonths?: number | null; language?: 'ja' | 'en' },
): ModalView {
  const opt = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
  const on = opt(t('settings.privateCardsOnShort'), 'private');
  const off = opt(t('settings.privateCardsOffShort'), 'standard');
  const ja = opt(t('ackFirst.languageJa'), 'ja');
  const en = opt(t('ackFirst.languageEn'), 'en');
  return {
    type: 'modal',
    callback_id: SETTINGS_CALLBACK,
    title: plain(t('settings.title'), 24),
    submit: plain(t('common.save'), 24),
    close: plain(t('common.cancel'), 24),
    blocks: [
      {
        type: 'input',
        block_id: 'zone',
        label: plain(t('settings.timezone'), 2000),
        element: { type: 'plain_text_input', action_id: 'value', initial_value: s.zone, max_length: 64 },
      },
      {
        type: 'input',
        block_id: 'cards',
        label: plain(t('settings.privateCards'), 2000),
        hint: plain(`${t('settings.privateCardsOn')} / ${t('settings.privateCardsOff')}`, 2000),
        element: { type: 'radio_buttons', action_id: 'value', options: [off, on], initial_option: s.privateCards ? on : off },
      },
      {
        type: 'input',
        block_id: 'retention',
        optional: true,
        label: plain(t('privacy.retentionLabel'), 2000),
        hint: plain(t('privacy.retentionHint'), 2000),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          max_length: 3,
          placeholder: plain(t('privacy.retentionPlaceholder'), 150),
          ...(s.retentionMonths ? { initial_value: String(s.retentionMonths) } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'language',
        label: plain(t('ackFirst.language'), 2000),
        element: { type: 'radio_buttons', action_id: 'value', options: [ja, en], initial_option: s.language === 'en' ? en : ja },
      },
    ],
  };
}
