/**
 * The mapping modal: imported postings grouped by medium and account, each with a job select (a
 * static select, or an external select with search once there are more than 100 jobs), and the
 * rules with their precedence. Plus the "add rule" modal. Pure builders.
 */
import type { KnownBlock, ModalView, PlainTextOption, StaticSelect, ExternalSelect } from '@slack/types';
import type { T } from '../src/i18n';
import { MEDIA, type Medium } from '../src/vocabulary';
import { button, context, esc, header, plain, section } from './blocks';

export const MAPPING_CALLBACK = 'map:modal';
export const RULE_CALLBACK = 'map:rule:save';
/** Ids of the `map:` feature (the job selects' options requests too; `map:open`: views/import-notices.ts). */
export const MAPPING_ACTIONS = {
  job: 'map:job',
  page: 'map:page',
  addRule: 'map:rule:add',
  deleteRule: 'map:rule:delete',
  ruleJob: 'map:rule:job',
} as const;
export const MAPPING_PAGE_SIZE = 25;
export const UNMAP = 'none';

/** An id as stored (an ObjectId) or as text: shown and sent back as its hex string. */
type Id = string | { toHexString(): string };
const hex = (id: Id | undefined): string => (id === undefined ? '' : typeof id === 'string' ? id : id.toHexString());

/** One page of postings with the job each goes to, and every rule. */
export interface MappingOverview {
  postings: {
    _id?: Id;
    medium: Medium;
    accountLabel: string;
    title: string;
    /** The posting's own choice (null: none, the rules decide). */
    jobId: Id | null;
    /** Where its candidates go (own choice, else the best rule), and why. */
    effectiveJobId: Id | null;
    source: 'posting' | 'rule' | null;
    jobName?: string;
    candidates: number;
    waiting: number;
  }[];
  rules: { _id?: Id; medium: Medium; pattern: string; match: 'exact' | 'contains'; jobId: Id; jobName: string }[];
  total: number;
  unmapped: number;
}

export interface JobChoice {
  id: string;
  name: string;
}

export interface MappingViewInput {
  overview: MappingOverview;
  page: number;
  /** Jobs the user may map onto (null → more than 100: external select with search). */
  jobs: JobChoice[] | null;
  canEditJob: (jobId: string) => boolean;
  /** What the last change did (`done`) or why it was refused; the view adds the one emoji. */
  banner?: MappingBanner;
}

export interface MappingBanner {
  kind: 'done' | 'refused';
  /** mrkdwn, from `t`. */
  text: string;
}

const BANNER_EMOJI: Record<MappingBanner['kind'], string> = { done: ':white_check_mark:', refused: ':no_entry:' };

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

export function jobSelect(
  t: T,
  actionId: string,
  jobs: JobChoice[] | null,
  current?: JobChoice,
  withUnmap = false,
): StaticSelect | ExternalSelect {
  if (jobs === null) {
    return {
      type: 'external_select',
      action_id: actionId,
      placeholder: plain(t('mapping.selectJob')),
      min_query_length: 0,
      ...(current ? { initial_option: option(current.name, current.id) } : {}),
    };
  }
  const options = jobs.slice(0, withUnmap ? 99 : 100).map((j) => option(j.name, j.id));
  if (withUnmap) options.push(option(t('mapping.unmap'), UNMAP));
  const initial = current && options.find((o) => o.value === current.id);
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plain(t('mapping.selectJob')),
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
}

export function mappingModal(t: T, v: MappingViewInput): ModalView {
  const { overview } = v;
  const blocks: KnownBlock[] = [];
  if (v.banner) blocks.push(section(`${BANNER_EMOJI[v.banner.kind]} ${v.banner.text}`));
  blocks.push(context(t('mapping.intro')));
  blocks.push(header(t.plain('mapping.postingsHeader', { unmapped: overview.unmapped, total: overview.total })));
  if (overview.total === 0) blocks.push(section(t('mapping.none')));
  let group = '';
  const mayMap = v.jobs === null || v.jobs.length > 0;
  for (const p of overview.postings) {
    const g = `${p.medium}:${p.accountLabel}`;
    if (g !== group) {
      group = g;
      blocks.push(context(`*${t(`media.${p.medium}`)}* · ${esc(p.accountLabel)}`));
    }
    const via = p.source === 'rule' ? t('mapping.viaRule') : '';
    const line = t('mapping.postingLine', {
      title: p.title,
      medium: t(`media.${p.medium}`),
      account: p.accountLabel,
      count: p.candidates,
      via,
    });
    const state = p.effectiveJobId ? `→ *${esc(p.jobName ?? '?')}*` : `:warning: ${t('mapping.notMapped', { waiting: p.waiting })}`;
    const current = p.jobId ? { id: hex(p.jobId), name: p.jobName ?? '?' } : undefined;
    const editable = mayMap && (!p.effectiveJobId || v.canEditJob(hex(p.effectiveJobId)));
    blocks.push({
      type: 'section',
      block_id: `posting_${hex(p._id)}`,
      text: { type: 'mrkdwn', text: `${line}\n${state}` },
      ...(editable ? { accessory: jobSelect(t, MAPPING_ACTIONS.job, v.jobs, current, Boolean(p.jobId)) } : {}),
    });
  }
  const pages = Math.ceil(overview.total / MAPPING_PAGE_SIZE);
  if (pages > 1) {
    const nav = [];
    if (v.page > 0) nav.push(button(t('mapping.prev'), MAPPING_ACTIONS.page, String(v.page - 1)));
    if (v.page < pages - 1) nav.push(button(t('mapping.next'), MAPPING_ACTIONS.page, String(v.page + 1)));
    blocks.push(context(t('mapping.pageOf', { page: v.page + 1, pages })));
    if (nav.length) blocks.push({ type: 'actions', block_id: 'mapping_nav', elements: nav });
  }
  blocks.push(header(t('mapping.rulesHeader')));
  blocks.push(context(t('mapping.precedence')));
  if (overview.rules.length === 0) blocks.push(section(t('mapping.noRules')));
  for (const r of overview.rules.slice(0, 25)) {
    const text = t('mapping.ruleLine', {
      medium: t(`media.${r.medium}`),
      pattern: r.pattern,
      match: r.match === 'exact' ? t('mapping.matchExact') : t('mapping.matchContains'),
      job: r.jobName,
    });
    blocks.push(
      section(
        text,
        v.canEditJob(hex(r.jobId))
          ? {
              ...button(t('mapping.deleteRule'), MAPPING_ACTIONS.deleteRule, hex(r._id), 'danger'),
            }
          : undefined,
      ),
    );
  }
  if (mayMap)
    blocks.push({
      type: 'actions',
      block_id: 'mapping_rules',
      elements: [button(t('mapping.addRule'), MAPPING_ACTIONS.addRule, 'add', 'primary')],
    });
  return {
    type: 'modal',
    callback_id: MAPPING_CALLBACK,
    private_metadata: JSON.stringify({ page: v.page }),
    title: plain(t('mapping.title'), 24),
    close: plain(t('common.close'), 24),
    blocks: blocks.slice(0, 100),
  };
}

export function ruleModal(
  t: T,
  jobs: JobChoice[] | null,
  parentViewId: string,
  preset: { medium?: string; pattern?: string } = {},
): ModalView {
  const mediumOptions = MEDIA.map((m) => option(t(`media.${m}`), m));
  const initialMedium = mediumOptions.find((o) => o.value === preset.medium);
  return {
    type: 'modal',
    callback_id: RULE_CALLBACK,
    private_metadata: JSON.stringify({ parentViewId }),
    title: plain(t('mapping.ruleModalTitle'), 24),
    submit: plain(t('common.save'), 24),
    close: plain(t('common.cancel'), 24),
    blocks: [
      {
        type: 'input',
        block_id: 'medium',
        label: plain(t('mapping.ruleMedium'), 2000),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: mediumOptions,
          ...(initialMedium ? { initial_option: initialMedium } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'pattern',
        label: plain(t('mapping.rulePattern'), 2000),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          max_length: 200,
          ...(preset.pattern ? { initial_value: preset.pattern } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'match',
        label: plain(t('mapping.ruleMatch'), 2000),
        element: {
          type: 'radio_buttons',
          action_id: 'value',
          options: [option(t('mapping.matchExactOption'), 'exact'), option(t('mapping.matchContainsOption'), 'contains')],
          initial_option: option(t('mapping.matchExactOption'), 'exact'),
        },
      },
      { type: 'input', block_id: 'job', label: plain(t('mapping.ruleJob'), 2000), element: jobSelect(t, MAPPING_ACTIONS.ruleJob, jobs) },
    ],
  };
}
