/** Media accounts, per medium, with their state and (for org admins) the buttons that change them. */
import type { KnownBlock, ActionsBlock } from '@slack/types';
import type { T } from '../src/i18n';
import { MEDIA, type Medium, type RunOutcome } from '../src/vocabulary';
import { formatMaybe, formatTime } from '../src/text';
import { button, context, esc, plain, section } from './blocks';
import { errorText } from './reasons';

export type AccountDisplayState = 'authenticating' | 'linked' | 'paused' | 'auth_failed' | 'system_error';

/** One account as the list shows it; times are shown in `zone` (the org's), the error as words. */
export interface AccountView {
  id: string;
  medium: Medium;
  label: string;
  state: AccountDisplayState;
  lastRun?: { at: Date; fetched: number; created: number; duplicates: number; meetups: number; outcome: RunOutcome };
  nextRun?: Date;
  /** A reason code (`auth:locked`, `service:timeout`). */
  lastError?: string;
}

/** Button ids: the `acct:` feature (commands/index.ts dispatches on the prefix). */
export const ACCOUNT_ACTIONS = {
  pause: 'acct:pause',
  resume: 'acct:resume',
  reenter: 'acct:reenter',
  unlink: 'acct:unlink',
  link: 'acct:link', // + ':<medium>' on the button
  page: 'acct:page', // + ':prev' / ':next'
} as const;

const STATE_EMOJI: Record<AccountDisplayState, string> = {
  authenticating: ':hourglass_flowing_sand:',
  linked: ':large_green_circle:',
  paused: ':double_vertical_bar:',
  auth_failed: ':red_circle:',
  system_error: ':warning:',
};

/** Accounts that need someone first: failed sign-ins, errors, checks in progress, paused, then linked. */
const SEVERITY: Record<AccountDisplayState, number> = { auth_failed: 0, system_error: 1, authenticating: 2, paused: 3, linked: 4 };

export function sortAccounts(accounts: AccountView[]): AccountView[] {
  return [...accounts].sort(
    (x, y) => SEVERITY[x.state] - SEVERITY[y.state] || MEDIA.indexOf(x.medium) - MEDIA.indexOf(y.medium) || x.label.localeCompare(y.label),
  );
}

function accountRow(t: T, a: AccountView, canManage: boolean, zone: string): KnownBlock[] {
  const mediumName = t(`media.${a.medium}`);
  const lines = [`*${mediumName}* · ${esc(a.label)}`, `${STATE_EMOJI[a.state]} ${t(`accountState.${a.state}`)}`];
  const facts: string[] = [];
  if (a.lastRun) {
    facts.push(
      t('accounts.lastImportDetail', {
        time: formatTime(a.lastRun.at, zone),
        fetched: a.lastRun.fetched,
        created: a.lastRun.created,
        duplicates: a.lastRun.duplicates,
        meetups: a.lastRun.meetups,
        outcome: t(`accounts.outcome.${a.lastRun.outcome}`),
      }),
    );
  } else facts.push(t('accounts.lastImport', { time: t('common.never') }));
  const next = formatMaybe(a.nextRun, zone);
  if (next) facts.push(t('accounts.nextImport', { time: next }));
  if (a.lastError) facts.push(t('accounts.lastError', { error: errorText(t, a.lastError) }));
  return canManage ? [section(lines.join('\n')), context(...facts), accountActions(t, a)] : [section(lines.join('\n')), context(...facts)];
}

/** Media without an account (one line), and for org admins a link button per medium. */
function mediaFooter(t: T, accounts: AccountView[], canManage: boolean): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const unlinked = MEDIA.filter((m) => !accounts.some((a) => a.medium === m));
  if (unlinked.length) blocks.push(context(`${t('accounts.notLinked')}: ${unlinked.map((m) => t(`media.${m}`)).join(' · ')}`));
  if (canManage) {
    blocks.push({
      type: 'actions',
      block_id: 'account_link_media',
      // Slack refuses one action_id twice in a block: the medium is in the id too
      elements: MEDIA.map((m) => button(`+ ${t(`media.${m}`)}`, `${ACCOUNT_ACTIONS.link}:${m}`, m)),
    });
  }
  return blocks;
}

/**
 * One page of accounts, those that need someone first (so a failed sign-in is never out of sight),
 * then the media without an account and the link buttons. `limit`: accounts shown.
 */
export function accountBlocks(
  t: T,
  accounts: AccountView[],
  opts: { canManage: boolean; zone: string; offset?: number; limit?: number },
): KnownBlock[] {
  const sorted = sortAccounts(accounts);
  const offset = opts.offset ?? 0;
  const shown = sorted.slice(offset, offset + (opts.limit ?? sorted.length));
  return [...shown.flatMap((a) => accountRow(t, a, opts.canManage, opts.zone)), ...mediaFooter(t, accounts, opts.canManage)];
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
      title: plain(t('accounts.unlinkConfirmTitle'), 100),
      text: plain(t.plain('accounts.unlinkConfirmText', { medium: mediumName, label: a.label }), 300),
      confirm: plain(t('accounts.unlinkConfirm'), 30),
      deny: plain(t('common.cancel'), 30),
      style: 'danger',
    },
  });
  return { type: 'actions', block_id: `account_${a.id}`, elements };
}

export const ACCOUNTS_PAGE_SIZE = 12;

/**
 * The message for `/ats accounts`: a page of ACCOUNTS_PAGE_SIZE accounts (3 blocks each for an org
 * admin) with previous/next buttons, so that it stays within Slack's 50 blocks whatever the count.
 */
export function accountsMessage(t: T, accounts: AccountView[], opts: { canManage: boolean; zone: string; page?: number }) {
  const pages = Math.max(1, Math.ceil(accounts.length / ACCOUNTS_PAGE_SIZE));
  const page = Math.min(Math.max(0, opts.page ?? 0), pages - 1);
  const offset = page * ACCOUNTS_PAGE_SIZE;
  const blocks: KnownBlock[] = [section(`*${t('accounts.title')}*`)];
  if (accounts.length === 0) blocks.push(section(t('accounts.none')));
  const needing = accounts.filter((a) => a.state === 'auth_failed' || a.state === 'system_error').length;
  if (needing) blocks.push(context(t('accounts.needAttention', { count: needing })));
  blocks.push(...accountBlocks(t, accounts, { ...opts, offset, limit: ACCOUNTS_PAGE_SIZE }));
  if (pages > 1) {
    const nav: ActionsBlock['elements'] = [];
    if (page > 0) nav.push(button(t('accounts.prev'), `${ACCOUNT_ACTIONS.page}:prev`, String(page - 1)));
    if (page < pages - 1) nav.push(button(t('accounts.next'), `${ACCOUNT_ACTIONS.page}:next`, String(page + 1)));
    blocks.push(
      context(
        t('accounts.pageOf', { from: offset + 1, to: Math.min(offset + ACCOUNTS_PAGE_SIZE, accounts.length), total: accounts.length }),
      ),
      { type: 'actions', block_id: 'account_pages', elements: nav },
    );
  }
  return { text: t('accounts.title'), blocks };
}
