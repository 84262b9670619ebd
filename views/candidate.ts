/**
 * Candidate surfaces: the card posted to a job's channel (standard or private), the digest message
 * whose thread holds a burst's cards, the details modal and the search answer. Pure builders.
 * A card never carries an e-mail address or a phone number; a private card carries only the job,
 * the medium and the Details button (the server checks who may see the rest).
 */
import type { KnownBlock, ModalView, ActionsBlock, Button } from '@slack/types';
import type { T } from '../src/i18n';
import { STAGES, type Medium, type Stage } from '../src/vocabulary';
import { formatTime } from '../src/text';
import { button, context, esc, plain, section, truncate } from './blocks';

export const CANDIDATE_ACTIONS = {
  details: 'cand:details',
  stage: 'cand:stage',
  pick: 'cand:pick',
  profile: 'cand:profile',
  erase: 'cand:erase',
} as const;
export const DETAILS_CALLBACK = 'cand:modal';

/** What every view of a candidate shows first (times in `zone`, the org's). */
export interface CandidateSummary {
  id: string;
  name: string;
  medium: Medium;
  postingTitle: string;
  appliedAt: Date;
  age?: number;
  stage: Stage;
  zone: string;
}

export interface CardData extends CandidateSummary {
  profileUrl?: string;
  job: string | null; // null: not in a job (shown as unassigned)
  movedFrom?: string; // the card's channel belongs to another job than the candidate's now
  private: boolean;
}

/** Only web links are shown: never mailto:/tel: (no e-mail or phone in a channel). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? truncate(u.toString(), 3000) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes anything that looks like an e-mail address or a phone number from text shown in a channel. */
export function scrub(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '•••')
    .replace(/\+?\d[\d\s()-]{8,}\d/g, (m) => ((m.match(/\d/g)?.length ?? 0) >= 10 ? '•••' : m));
}

/** The block id a card is found by in the channel's history (crash recovery). */
export function cardBlockId(candidateId: string) {
  return `card_${candidateId}`;
}

/** The block id a digest message is found by in the channel's history. */
export function digestBlockId(digestId: string) {
  return `digest_${digestId}`;
}

export function cardMessage(t: T, c: CardData): { text: string; blocks: KnownBlock[] } {
  const detailsBtn: Button = button(t('candidate.details'), CANDIDATE_ACTIONS.details, c.id, 'primary');
  const medium = t(`media.${c.medium}`);
  const job = c.job ?? t('candidate.unassigned');
  if (c.private) {
    const title = t('candidate.privateCardTitle', { job });
    return {
      text: title,
      blocks: [
        { type: 'section', block_id: cardBlockId(c.id), text: { type: 'mrkdwn', text: `*${esc(title)}*` } },
        context(`${t('candidate.medium')}: ${medium}`, `${t('candidate.stage')}: ${t(`candidate.stages.${c.stage}`)}`),
        { type: 'actions', block_id: `card_actions_${c.id}`, elements: [detailsBtn] },
      ],
    };
  }
  const name = scrub(c.name);
  const title = t('candidate.cardTitle', { name });
  const fields = [
    `*${t('candidate.medium')}*\n${medium}`,
    `*${t('candidate.posting')}*\n${esc(scrub(c.postingTitle))}`,
    `*${t('candidate.appliedAt')}*\n${formatTime(c.appliedAt, c.zone)}`,
    `*${t('candidate.stage')}*\n${t(`candidate.stages.${c.stage}`)}`,
  ];
  if (c.age !== undefined) fields.push(`*${t('candidate.age')}*\n${t('candidate.ageValue', { age: c.age })}`);
  const elements: ActionsBlock['elements'] = [detailsBtn];
  const url = safeUrl(c.profileUrl);
  if (url) elements.push({ type: 'button', text: plain(t('candidate.profile', { medium })), action_id: CANDIDATE_ACTIONS.profile, url });
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: cardBlockId(c.id),
      text: { type: 'mrkdwn', text: truncate(`*${esc(title)}*`, 3000) },
      fields: fields.map((f) => ({ type: 'mrkdwn' as const, text: truncate(f, 2000) })),
    },
  ];
  if (c.movedFrom) blocks.push(context(t('candidate.movedTo', { job })));
  blocks.push({ type: 'actions', block_id: `card_actions_${c.id}`, elements });
  return { text: truncate(title, 3000), blocks };
}

/**
 * What every card of an erased candidate becomes (chat.update): no name, no link, no details, no
 * button — only the block id, so crash recovery still finds the message.
 */
export function removedCardMessage(t: T, candidateId: string): { text: string; blocks: KnownBlock[] } {
  const text = t('privacy.removedCard');
  return {
    text,
    blocks: [{ type: 'section', block_id: cardBlockId(candidateId), text: { type: 'mrkdwn', text: `:wastebasket: _${text}_` } }],
  };
}

/** The details modal once the candidate is erased. */
export function erasedModal(t: T): ModalView {
  return {
    type: 'modal',
    callback_id: DETAILS_CALLBACK,
    title: plain(t('candidate.detailsTitle'), 24),
    close: plain(t('common.close'), 24),
    blocks: [section(t('privacy.erased'))],
  };
}

export function digestMessage(t: T, d: { id: string; job: string; count: number; byMedium: { medium: Medium; n: number }[] }) {
  const title = t('candidate.digestTitle', { job: d.job, count: d.count });
  return {
    text: title,
    blocks: [
      { type: 'section', block_id: digestBlockId(d.id), text: { type: 'mrkdwn', text: truncate(`:inbox_tray: *${esc(title)}*`, 3000) } },
      context(d.byMedium.map((m) => `${t(`media.${m.medium}`)} ${m.n}`).join(' · '), t('candidate.digestBody')),
    ] as KnownBlock[],
  };
}

export interface CandidateDetails extends CandidateSummary {
  job: string | null;
  links: { label: string; url: string }[];
  history: { at: Date; medium: Medium; account: string }[];
  canChangeStage: boolean;
  canErase?: boolean;
}

export function detailsModal(t: T, d: CandidateDetails): ModalView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(scrub(d.name), 150) },
    {
      type: 'section',
      fields: [
        `*${t('candidate.medium')}*\n${t(`media.${d.medium}`)}`,
        `*${t('candidate.posting')}*\n${esc(d.postingTitle)}`,
        `*${t('candidate.job')}*\n${d.job ? esc(d.job) : t('candidate.unassigned')}`,
        `*${t('candidate.appliedAt')}*\n${formatTime(d.appliedAt, d.zone)}`,
        ...(d.age !== undefined ? [`*${t('candidate.age')}*\n${t('candidate.ageValue', { age: d.age })}`] : []),
      ].map((f) => ({ type: 'mrkdwn' as const, text: truncate(f, 2000) })),
    },
  ];
  const stageText = `*${t('candidate.stage')}*: ${t(`candidate.stages.${d.stage}`)}`;
  blocks.push(
    d.canChangeStage
      ? {
          type: 'section',
          block_id: 'stage',
          text: { type: 'mrkdwn', text: stageText },
          accessory: {
            type: 'static_select',
            action_id: CANDIDATE_ACTIONS.stage,
            initial_option: { text: plain(t(`candidate.stages.${d.stage}`)), value: `${d.id}:${d.stage}` },
            options: STAGES.map((s) => ({ text: plain(t(`candidate.stages.${s}`)), value: `${d.id}:${s}` })),
          },
        }
      : section(stageText),
  );
  const links = d.links.map((l) => ({ ...l, url: safeUrl(l.url) })).filter((l): l is { label: string; url: string } => Boolean(l.url));
  if (links.length)
    blocks.push(
      section(
        links
          .slice(0, 10)
          .map((l) => `• <${l.url}|${esc(l.label || l.url)}>`)
          .join('\n'),
      ),
    );
  if (d.history.length) {
    blocks.push(
      section(
        `*${t('candidate.history')}*\n${d.history
          .slice(-20)
          .map(
            (h) =>
              `• ${t('candidate.historyLine', { time: formatTime(h.at, d.zone), medium: t(`media.${h.medium}`), account: h.account })}`,
          )
          .join('\n')}`,
      ),
    );
  }
  if (d.canErase) {
    const name = truncate(scrub(d.name), 100);
    blocks.push({
      type: 'actions',
      block_id: 'erase',
      elements: [
        {
          ...button(t('privacy.erase'), CANDIDATE_ACTIONS.erase, d.id, 'danger'),
          // Slack asks before the click is sent: the dialog names who is erased
          confirm: {
            title: plain(t('privacy.eraseConfirmTitle'), 100),
            text: { type: 'mrkdwn', text: truncate(t('privacy.eraseConfirmText', { name }), 300) },
            confirm: plain(t('privacy.eraseConfirm'), 30),
            deny: plain(t('common.cancel'), 30),
            style: 'danger',
          },
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: DETAILS_CALLBACK,
    private_metadata: JSON.stringify({ candidateId: d.id }),
    title: plain(t('candidate.detailsTitle'), 24),
    close: plain(t('common.close'), 24),
    blocks,
  };
}

/** Search answer when several candidates match: one button per candidate (max 20). */
export function pickMessage(
  t: T,
  found: { id: string; name: string; medium: Medium; job: string | null; appliedAt: Date }[],
  zone: string,
) {
  const blocks: KnownBlock[] = [section(t('candidate.pick', { count: found.length }))];
  for (const c of found.slice(0, 20)) {
    const line = `*${esc(c.name)}* · ${t(`media.${c.medium}`)} · ${c.job ? esc(c.job) : t('candidate.unassigned')} · ${formatTime(c.appliedAt, zone)}`;
    blocks.push(section(line, button(t('candidate.details'), CANDIDATE_ACTIONS.pick, c.id)));
  }
  return { text: t('candidate.pick', { count: found.length }), blocks };
}
