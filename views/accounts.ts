/** Media accounts, per medium, with their state and (for org admins) the buttons that change them. */
import type { KnownBlock, ActionsBlock } from '@slack/types';
import type { T } from '../src/i18n';
import { MEDIA, type Medium } from '../connectors/types';
import { button, context, esc, section } from './blocks';

export type AccountDisplayState = 'authenticating' | 'linked' | 'paused' | 'auth_failed' | 'system_error';

export interface AccountView {
  id: string;
  medium: Medium;
  label: string;
  state: AccountDisplayState;
  lastRun?: { time: string; fetched: number; created: number; duplicates: number; meetups: number; outcome: 'running' | 'success' | 'partial' | 'auth_failed' | 'system_error' };
  nextRun?: string;
  lastError?: string;
}

export const ACCOUNT_ACTIONS = {
  pause: 'account_pause',
  resume: 'account_resume',
  reenter: 'account_reenter',
  unlink: 'account_unlink',
  link: 'account_link',
} as const;

const STATE_EMOJI: Record<AccountDisplayState, string> = {
  authenticating: ':hourglass_flowing_sand:',
  linked: ':large_green_circle:',
  paused: ':double_vertical_bar:',
  auth_failed: ':red_circle:',
  system_error: ':warning:',
};

export function accountBlocks(t: T, accounts: AccountView[], opts: { canManage: boolean; compact?: boolean }): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const medium of MEDIA) {
    const mine = accounts.filter((a) => a.medium === medium);
    const mediumName = t(`media.${medium}`);
    if (mine.length === 0) {
      blocks.push(
        section(
          `*${mediumName}*  ${t('accountState.not_linked')}`,
          opts.canManage ? button(t('accounts.link'), ACCOUNT_ACTIONS.link, medium) : undefined,
        ),
      );
      continue;
    }
    for (const a of mine) {
      const lines = [`*${mediumName}* · ${esc(a.label)}`, `${STATE_EMOJI[a.state]} ${t(`accountState.${a.state}`)}`];
      const facts: string[] = [];
      if (a.lastRun) {
        facts.push(
          t('accounts.lastImportDetail', {
            time: a.lastRun.time, fetched: a.lastRun.fetched, created: a.lastRun.created,
            duplicates: a.lastRun.duplicates, meetups: a.lastRun.meetups, outcome: t(`accounts.outcome.${a.lastRun.outcome}`),
          }),
        );
      } else facts.push(t('accounts.lastImport', { time: t('common.never') }));
      if (a.nextRun) facts.push(t('accounts.nextImport', { time: a.nextRun }));
      if (a.lastError) facts.push(t('accounts.lastError', { error: a.lastError }));
      blocks.push(section(lines.join('\n')), context(...facts));
      if (opts.canManage) blocks.push(accountActions(t, a));
    }
    if (opts.canManage && !opts.compact) {
      blocks.push({ type: 'actions', elements: [button(t('accounts.linkAnother'), ACCOUNT_ACTIONS.link, medium)] });
    }
  }
  return blocks;
}

function accountActions(t: T, a: AccountView): ActionsBlock {
  const mediumName = t(`media.${a.medium}`);
  const elements: ActionsBlock['elements'] = [];
  if (a.state === 'linked' || a.state === 'system_error') elements.push(button(t('accounts.pause'), ACCOUNT_ACTIONS.pause, a.id));
  if (a.state === 'paused') elements.push(button(t('accounts.resume'), ACCOUNT_ACTIONS.resume, a.id, 'primary'));
  elements.push(button(t('accounts.reenter'), ACCOUNT_ACTIONS.reenter, a.id));
  elements.push({
    ...button(t('accounts.unlink'), ACCOUNT_ACTIONS.unlink, a.id, 'danger'),
    confirm: {
      title: { type: 'plain_text', text: t('accounts.unlinkConfirmTitle').slice(0, 100) },
      text: { type: 'plain_text', text: t('accounts.unlinkConfirmText', { medium: mediumName, label: a.label }).slice(0, 300) },
      confirm: { type: 'plain_text', text: t('accounts.unlinkConfirm') },
      deny: { type: 'plain_text', text: t('common.cancel') },
      style: 'danger',
    },
  });
  return { type: 'actions', block_id: `account_${a.id}`, elements };
}

/** The message for `/ats accounts`; stays within Slack's 50 blocks per message. */
export function accountsMessage(t: T, accounts: AccountView[], opts: { canManage: boolean }) {
  const blocks = [section(`*${t('accounts.title')}*`), ...accountBlocks(t, accounts, opts)];
  return { text: t('accounts.title'), blocks: blocks.slice(0, 50) };
}
