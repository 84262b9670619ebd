/**
 * The card delivery's decisions, as pure functions (src/notifier/cards carries them out; the
 * protocol is in docs/cards.md and src/storage/card-store.ts).
 */
import type { ChannelIssueReason, Medium } from '../vocabulary';

/** Where a job's cards go right now: its channel, or (archived channel) DMs to the job's admins. */
export type DeliveryMode = 'channel' | 'dm';

/** A burst: this many cards waiting at once for a job's channel → one digest, the cards in its thread. */
export function isBurst(waiting: number, mode: DeliveryMode, threshold: number): boolean {
  return mode === 'channel' && waiting >= threshold;
}

/** A digest's counts per medium, in the order the media first appear among its cards. */
export function countByMedium(cards: { medium: Medium }[]): Partial<Record<Medium, number>> {
  const counts: Partial<Record<Medium, number>> = {};
  for (const c of cards) counts[c.medium] = (counts[c.medium] ?? 0) + 1;
  return counts;
}

/** When a claim taken at `now` expires. */
export function leaseEnd(now: Date, leaseMs: number): Date {
  return new Date(now.getTime() + leaseMs);
}

/** When to look again at a claim that expires at `leaseUntil` (just after it). */
export function afterLease(leaseUntil: Date): Date {
  return new Date(leaseUntil.getTime() + 1_000);
}

/** A post that did not go through (src/slack/paced-poster.ts's results other than ok). */
export type FailedPost = { kind: 'channel_issue'; reason: ChannelIssueReason } | { kind: 'ambiguous' } | { kind: 'failed' };

export interface AfterFailedPost {
  /**
   * What becomes of the claim: `keep` it (unknown whether it was posted: the channel's history
   * tells once the lease ends), `release` it (not posted; posted later), or `fail` it (Slack
   * refuses this message; for a digest: its cards go top level instead).
   */
  claim: 'keep' | 'release' | 'fail';
  /** A channel problem to record (and tell the job's admins about once). */
  channelIssue?: ChannelIssueReason;
  /** The run goes on by DM (the channel is archived). */
  toDm: boolean;
  /** The run stops here and the job runs again at `retryAt`. */
  stop: boolean;
  retryAt?: Date;
}

/**
 * What a failed post of a card or a digest to the channel means: unknown outcome → wait for the
 * lease and check the history; refused → give up this message and go on; archived → go on by DM;
 * not invited / no channel → wait (retryLaterMs, or the bot's invitation wakes the job sooner).
 */
export function afterFailedPost(res: FailedPost, now: Date, s: { leaseMs: number; retryLaterMs: number }): AfterFailedPost {
  switch (res.kind) {
    case 'ambiguous':
      return { claim: 'keep', toDm: false, stop: true, retryAt: afterLease(leaseEnd(now, s.leaseMs)) };
    case 'failed':
      return { claim: 'fail', toDm: false, stop: false };
    case 'channel_issue':
      return res.reason === 'is_archived'
        ? { claim: 'release', channelIssue: res.reason, toDm: true, stop: false }
        : { claim: 'release', channelIssue: res.reason, toDm: false, stop: true, retryAt: new Date(now.getTime() + s.retryLaterMs) };
  }
}
