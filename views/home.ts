/** The App Home dashboard: accounts, unmapped postings, recent candidates per job, and later interviews/evaluations. */
import type { HomeView, KnownBlock } from '@slack/types';
import type { T } from '../src/i18n';
import type { DisplayRole, Medium } from '../src/vocabulary';
import { formatTime } from '../src/text';
import { button, context, divider, esc, header, section } from './blocks';
import { accountBlocks, type AccountView } from './accounts';
import { shownName } from './candidate';

/** What one person's dashboard shows; times in `zone` (the org's). */
export interface DashboardData {
  role: DisplayRole;
  zone: string;
  updatedAt: Date;
  accounts: AccountView[] | null; // null: not allowed to see them
  canManageAccounts: boolean;
  unmappedCount: number | null;
  recent: { job: string; channelId: string; candidates: { name: string; medium: Medium; appliedAt: Date }[] }[];
}

export const HOME_OPEN_MAPPING = 'home:mapping';
const HOME_ACCOUNTS = 8;

export function homeView(t: T, d: DashboardData): HomeView {
  const blocks: KnownBlock[] = [
    header(t('home.title')),
    context(t('home.role', { role: t(`roles.${d.role}`) }), t('home.updated', { time: formatTime(d.updatedAt, d.zone) })),
  ];

  if (d.accounts) {
    blocks.push(divider(), header(t('home.accountsHeader')));
    if (d.accounts.length === 0) blocks.push(section(t('home.noAccounts')));
    else {
      // the accounts that need someone first; the rest of the dashboard always fits in 100 blocks
      blocks.push(...accountBlocks(t, d.accounts, { canManage: d.canManageAccounts, zone: d.zone, limit: HOME_ACCOUNTS }));
      if (d.accounts.length > HOME_ACCOUNTS) blocks.push(context(t('home.moreAccounts', { count: d.accounts.length - HOME_ACCOUNTS })));
    }
  }

  if (d.unmappedCount !== null) {
    blocks.push(divider(), header(t('home.unmappedHeader')));
    blocks.push(
      d.unmappedCount > 0
        ? section(t('home.unmappedCount', { count: d.unmappedCount }), button(t('home.openMapping'), HOME_OPEN_MAPPING, 'open', 'primary'))
        : section(t('home.unmappedNone')),
    );
  }

  blocks.push(divider(), header(t('home.recentHeader')));
  if (d.recent.length === 0) blocks.push(section(t('home.recentNone')));
  for (const job of d.recent.slice(0, 8)) {
    const lines = job.candidates
      .map((c) => `• ${esc(shownName(t, c.name))} · ${t(`media.${c.medium}`)} · ${formatTime(c.appliedAt, d.zone)}`)
      .join('\n');
    blocks.push(section(`*${esc(job.job)}* <#${job.channelId}>\n${lines}`));
  }

  blocks.push(divider(), header(t('home.interviewsHeader')), section(t('home.interviewsNone')));
  blocks.push(header(t('home.evaluationsHeader')), section(t('home.evaluationsNone')));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
