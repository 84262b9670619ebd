/** The DMs about imports (pure). */
import type { KnownBlock } from '@slack/types';
import type { T } from '../src/i18n';
import type { Medium } from '../src/vocabulary';
import { formatMaybe } from '../src/text';
import { button, context, header, section } from './blocks';
import { errorText } from './reasons';

/** The counts of one import run. */
export interface RunCounts {
  created: number;
  fetched: number;
  duplicates: number;
  skippedMeetups: number;
}

export const OPEN_MAPPING_ACTION = 'map:open';

export function importFinishedMessage(
  t: T,
  d: { medium: Medium; label: string; run: RunCounts; hasMore: boolean; unmapped: number },
): { text: string; blocks: KnownBlock[] } {
  const medium = t(`media.${d.medium}`);
  const blocks: KnownBlock[] = [];
  const texts: string[] = [];
  if (d.run.created > 0) {
    texts.push(t('imports.finished'));
    blocks.push(
      header(t('imports.finished')),
      section(
        t('imports.finishedDetail', {
          medium,
          label: d.label,
          created: d.run.created,
          fetched: d.run.fetched,
          duplicates: d.run.duplicates,
          meetups: d.run.skippedMeetups,
        }),
      ),
    );
    if (d.hasMore) blocks.push(context(t('imports.moreWaiting')));
  }
  if (d.unmapped > 0) {
    texts.push(t('imports.setMapping', { medium }));
    blocks.push(
      section(
        `*${t('imports.setMapping', { medium })}*\n${t('imports.setMappingDetail', { count: d.unmapped })}`,
        button(t('imports.openMapping'), OPEN_MAPPING_ACTION, d.medium, 'primary'),
      ),
    );
  }
  return { text: texts.join(' / '), blocks };
}

/** `reason`: a reason code (`auth:…`, `service:…`); `nextRunAt`: the retry, shown in `zone`. */
export function importFailureMessage(t: T, d: { medium: Medium; label: string; reason: string; nextRunAt: Date | null; zone: string }) {
  const medium = t(`media.${d.medium}`);
  const reason = errorText(t, d.reason);
  const text = d.reason.startsWith('auth:')
    ? t('imports.authFailedNotice', { medium, label: d.label, reason })
    : t('imports.systemErrorNotice', { medium, label: d.label, reason, next: formatMaybe(d.nextRunAt, d.zone) ?? '-' });
  return { text };
}

export function importRecoveredMessage(t: T, d: { medium: Medium; label: string }) {
  return { text: t('imports.recoveredNotice', { medium: t(`media.${d.medium}`), label: d.label }) };
}
