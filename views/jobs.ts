/** Jobs: the new/edit modal and the `/ats jobs` list (pure Block Kit builders). */
import type { KnownBlock, ModalView } from '@slack/types';
import type { T } from '../src/i18n';
import type { ChannelIssueReason } from '../src/vocabulary';
import { button, context, esc, plain, section } from './blocks';

export const JOB_CALLBACK = 'job:save';
export const JOB_ACTIONS = { edit: 'job:edit', create: 'job:new' } as const;

/** One line of `/ats jobs`. */
export interface JobListItem {
  id: string;
  name: string;
  channelId: string;
  candidates: number;
  pendingCards: number;
  /** Why cards cannot reach the channel right now. */
  channelIssue?: { reason: ChannelIssueReason };
  canEdit: boolean;
}

export interface JobFormValues {
  id?: string;
  /** The job's updatedAt (ms) when the modal opened: the save is refused if it changed meanwhile. */
  version?: number;
  name?: string;
  channelId?: string;
  admins?: string[];
  members?: string[];
}

export function jobModal(t: T, v: JobFormValues = {}): ModalView {
  return {
    type: 'modal',
    callback_id: JOB_CALLBACK,
    private_metadata: JSON.stringify({ jobId: v.id ?? null, ...(v.version !== undefined ? { version: v.version } : {}) }),
    title: plain(v.id ? t('jobs.editTitle') : t('jobs.newTitle'), 24),
    submit: plain(v.id ? t('common.save') : t('jobs.create'), 24),
    close: plain(t('common.cancel'), 24),
    blocks: [
      {
        type: 'input',
        block_id: 'name',
        label: plain(t('jobs.name'), 2000),
        element: { type: 'plain_text_input', action_id: 'value', max_length: 80, ...(v.name ? { initial_value: v.name } : {}) },
      },
      {
        type: 'input',
        block_id: 'channel',
        label: plain(t('jobs.channel'), 2000),
        hint: plain(t('jobs.channelHint'), 2000),
        element: {
          type: 'conversations_select',
          action_id: 'value',
          filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
          ...(v.channelId ? { initial_conversation: v.channelId } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'admins',
        optional: true,
        label: plain(t('jobs.admins'), 2000),
        element: { type: 'multi_users_select', action_id: 'value', ...(v.admins?.length ? { initial_users: v.admins } : {}) },
      },
      {
        type: 'input',
        block_id: 'members',
        optional: true,
        label: plain(t('jobs.members'), 2000),
        element: { type: 'multi_users_select', action_id: 'value', ...(v.members?.length ? { initial_users: v.members } : {}) },
      },
    ],
  };
}

/** The warning for a channel the bot cannot post in (the same words after saving and in /ats jobs). */
function channelWarning(t: T, reason: string, channel: string): string | undefined {
  if (reason === 'not_in_channel') return `:warning: ${t('jobs.notInChannel', { channel })}`;
  if (reason === 'is_archived') return `:warning: ${t('jobs.channelArchived', { channel })}`;
  // deleted, or a private channel the bot is not in (Slack answers channel_not_found for both)
  if (reason === 'channel_not_found') return `:warning: ${t('jobs.channelMissing', { channel })}`;
  return undefined;
}

function issueText(t: T, j: JobListItem): string | undefined {
  return j.channelIssue ? channelWarning(t, j.channelIssue.reason, j.channelId) : undefined;
}

export function jobsMessage(t: T, d: { jobs: JobListItem[]; unmapped: number; canCreate: boolean }) {
  const blocks: KnownBlock[] = [section(`*${t('jobs.title')}*`)];
  if (d.unmapped > 0) blocks.push(context(t('jobs.unmappedTotal', { count: d.unmapped })));
  if (d.jobs.length === 0) blocks.push(section(t('jobs.none')));
  for (const j of d.jobs.slice(0, 40)) {
    const facts = [t('jobs.lineCounts', { candidates: j.candidates, pending: j.pendingCards })];
    const issue = issueText(t, j);
    if (issue) facts.push(issue);
    blocks.push(
      section(
        `*${esc(j.name)}* → <#${j.channelId}>\n${facts.join('\n')}`,
        j.canEdit ? button(t('jobs.edit'), JOB_ACTIONS.edit, j.id) : undefined,
      ),
    );
  }
  if (d.jobs.length > 40) blocks.push(context(t('jobs.more', { count: d.jobs.length - 40 })));
  if (d.canCreate) blocks.push({ type: 'actions', elements: [button(t('jobs.newTitle'), JOB_ACTIONS.create, 'new', 'primary')] });
  return { text: t('jobs.title'), blocks: blocks.slice(0, 50) };
}

/** What the creator is told after saving: created/updated, plus the channel problem if any. */
export function jobSavedText(t: T, job: { name: string; channelId: string }, status: string, created: boolean): string {
  const lines = [created ? t('jobs.created', { name: job.name, channel: job.channelId }) : t('jobs.updated', { name: job.name })];
  const warning = channelWarning(t, status, job.channelId);
  if (warning) lines.push(warning);
  return lines.join('\n');
}

/**
 * The DM to a job's admins when its cards cannot reach the channel: not invited (with the /invite
 * line), gone, or archived (the cards come by DM meanwhile). `waiting`: cards waiting for it.
 */
export function channelProblemMessage(
  t: T,
  d: { reason: ChannelIssueReason; channelId: string; job: string; waiting: number },
): { text: string } {
  if (d.reason === 'is_archived') return { text: t('candidate.archivedFallback', { channel: d.channelId, job: d.job }) };
  if (d.reason === 'not_in_channel') return { text: t('jobs.cardsWaitingInvite', { channel: d.channelId, job: d.job, count: d.waiting }) };
  return { text: t('jobs.cardsWaitingChannel', { job: d.job, count: d.waiting, channel: d.channelId }) };
}
