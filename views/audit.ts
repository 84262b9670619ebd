/**
 * `/ats audit` (org admins): one page of the audit log, newest first, with a filter by person (a
 * users_select) and by action (a static select) and Previous/Next buttons. The filters in force
 * travel with the message: in the filter block's id (`audit_f:<user>:<action>`) and in the page
 * buttons' values, so each click answers with the page it asks for. Times in the org's zone.
 */
import type { ActionsBlock, KnownBlock, PlainTextOption } from '@slack/types';
import type { T } from '../src/i18n';
import { formatTime } from '../src/text';
import { button, context, esc, header, plain, section, truncate } from './blocks';

export const AUDIT_ACTIONS = { page: 'audit:page', user: 'audit:user', action: 'audit:action' } as const;
/** The static select's value for "every action". */
export const ALL_ACTIONS = '*';
export const AUDIT_FILTER_BLOCK = 'audit_f';

export interface AuditEntryView {
  at: Date;
  actorId: string;
  action: string;
  allowed: boolean;
  reason?: string;
  target?: Record<string, unknown>;
}

export interface AuditView {
  entries: AuditEntryView[];
  page: number;
  hasMore: boolean;
  userId?: string;
  action?: string;
  /** Every action the log holds (the action filter's options). */
  actions: string[];
  zone: string;
}

/** A page button's value: the page and the filters in force. */
export interface AuditPageRef {
  p: number;
  u?: string;
  a?: string;
}

export const filterBlockId = (u?: string, a?: string) => `${AUDIT_FILTER_BLOCK}:${u ?? ''}:${a ?? ''}`;

function actor(id: string): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(id) ? `<@${id}>` : `\`${esc(id)}\``;
}

function targetText(target: Record<string, unknown> | undefined): string | undefined {
  if (!target) return undefined;
  const parts = Object.entries(target)
    .slice(0, 8)
    .map(([k, v]) => `${esc(k)}: ${esc(truncate(typeof v === 'string' ? v : JSON.stringify(v), 120))}`);
  return parts.length ? parts.join(' · ') : undefined;
}

export function auditMessage(t: T, a: AuditView): { text: string; blocks: KnownBlock[] } {
  const title = t('audit.title');
  const opt = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
  const all = opt(t('audit.allActions'), ALL_ACTIONS);
  const actionOptions = [all, ...a.actions.slice(0, 99).map((x) => opt(x, x))];
  const selected = a.action ? actionOptions.find((o) => o.value === a.action) : all;
  const filters: ActionsBlock = {
    type: 'actions',
    block_id: filterBlockId(a.userId, a.action),
    elements: [
      {
        type: 'users_select',
        action_id: AUDIT_ACTIONS.user,
        placeholder: plain(t('audit.byPerson')),
        ...(a.userId ? { initial_user: a.userId } : {}),
      },
      {
        type: 'static_select',
        action_id: AUDIT_ACTIONS.action,
        placeholder: plain(t('audit.byAction')),
        options: actionOptions,
        ...(selected ? { initial_option: selected } : {}),
      },
      ...(a.userId || a.action
        ? [button(t('audit.clear'), `${AUDIT_ACTIONS.page}:clear`, JSON.stringify({ p: 0 } satisfies AuditPageRef))]
        : []),
    ],
  };
  const blocks: KnownBlock[] = [header(title), filters];
  if (a.entries.length === 0) blocks.push(section(t('audit.empty')));
  for (const e of a.entries) {
    const outcome = e.allowed ? t('audit.allowed') : t('audit.refused', { reason: e.reason ?? '' });
    blocks.push(section(`*${formatTime(e.at, a.zone)}* · ${actor(e.actorId)} · \`${esc(e.action)}\` · ${outcome}`));
    const tt = targetText(e.target);
    if (tt) blocks.push(context(tt));
  }
  const ref = (p: number): string => JSON.stringify({ p, ...(a.userId ? { u: a.userId } : {}), ...(a.action ? { a: a.action } : {}) });
  const nav = [
    ...(a.page > 0 ? [button(t('audit.prev'), `${AUDIT_ACTIONS.page}:prev`, ref(a.page - 1))] : []),
    ...(a.hasMore ? [button(t('audit.next'), `${AUDIT_ACTIONS.page}:next`, ref(a.page + 1))] : []),
  ];
  blocks.push(context(t('audit.pageNo', { page: a.page + 1 })));
  if (nav.length) blocks.push({ type: 'actions', block_id: 'audit_nav', elements: nav });
  return { text: title, blocks };
}
