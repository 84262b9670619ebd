/**
 * One run of a job's card delivery: what every step shares (the job, the org, the cards' language,
 * the Slack clients, where cards go now) and the steps' common moves — rendering a card, and a
 * channel problem recorded, told and cleared.
 */
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../../domain/deps';
import type { CandidateDoc, JobDoc, OrgDoc } from '../../storage/types';
import type { ChannelIssueReason } from '../../vocabulary';
import type { T } from '../../i18n';
import type { TeamPoster } from '../../slack/paced-poster';
import { cardAudience, loadCardFacts } from '../../domain/cards';
import { leaseEnd, type AfterFailedPost, type DeliveryMode } from '../../domain/card-rules';
import { cardMessage, removedCardMessage } from '../../../views/candidate';
import type { CardPostingSettings } from './settings';

export interface Run {
  deps: Deps;
  settings: CardPostingSettings;
  teamId: string;
  job: JobDoc;
  org: OrgDoc;
  /** The cards' language: the job creator's. */
  t: T;
  /** The workspace's client: channel history, DMs, chat.update. */
  client: WebClient;
  /** chat.postMessage, paced, every 429 waited out, never retried (src/slack/paced-poster.ts). */
  poster: TeamPoster;
  mode: DeliveryMode;
  posted: number;
}

/** Go on with the next card, or stop this run (the job runs again at `retryAt`). */
export type Step = { stop: false } | { stop: true; retryAt?: Date };
export const GO_ON: Step = { stop: false };

/** A lease taken now. */
export const lease = (run: Run): Date => leaseEnd(new Date(), run.settings.leaseMs);

/** A candidate's card; an erased candidate's is the neutral "removed" card (src/domain/privacy.ts). */
export async function renderCard(run: Run, c: CandidateDoc) {
  if (c.erasedAt) return removedCardMessage(run.t, String(c._id));
  return cardMessage(run.t, await loadCardFacts(run.deps, c, run.job, run.org));
}

/** Records a channel problem once and tells the job's admins (org admins if none) about it once. */
export async function flagChannelIssue(run: Run, reason: ChannelIssueReason): Promise<void> {
  const { deps, job, teamId } = run;
  const flagged = await deps.store.cards.flagChannelIssue(teamId, job._id!, reason, new Date());
  if (!flagged) return;
  run.job = flagged;
  const waiting = await deps.store.cards.waiting(teamId, job._id!);
  await deps.notifier.channelProblem(teamId, await cardAudience(deps, job), { reason, channelId: job.channelId, job: job.name, waiting });
  await deps.store.cards.channelIssueNotified(teamId, job._id!, new Date());
}

export async function clearChannelIssue(run: Run): Promise<void> {
  if (!run.job.channelIssue) return;
  await run.deps.store.cards.clearChannelIssue(run.teamId, run.job._id!);
  run.job = { ...run.job, channelIssue: undefined };
}

/** Carries out a failed post's consequences for the run (the claim is the caller's): problem, DMs, stop. */
export async function settle(run: Run, next: AfterFailedPost): Promise<Step> {
  if (next.channelIssue) await flagChannelIssue(run, next.channelIssue);
  if (next.toDm) run.mode = 'dm';
  return next.stop ? { stop: true, retryAt: next.retryAt } : GO_ON;
}
