/**
 * Candidate cards to a job's channel (docs/cards.md): one run per team+job at a time (the Agenda
 * job in src/jobs/card-jobs.ts), woken whenever candidates are routed or a card changes.
 *
 * Exactly once, across retries, re-runs and crashes:
 *   pending ──claim (atomic, lease)──▶ posting ──chat.postMessage──▶ posted (channel, ts)
 * The claim is atomic (src/storage/card-store.ts), so two runs never post the same card; channel+ts
 * are stored right after the post. A claim left past its lease is settled from the channel's
 * history first (recovery.ts). Posts go through src/slack/paced-poster.ts: 1 message per second
 * per channel, every 429's Retry-After waited out there, a post never retried blindly.
 *
 * A burst (src/domain/card-rules.ts isBurst) becomes one digest message with the cards in its thread
 * (digests.ts). Channel problems: not_in_channel / channel_not_found → the cards wait, the job's
 * admins are told once, and the job retries later or as soon as the bot is invited
 * (member_joined_channel); is_archived → the cards go by DM to the job's admins (org admins if
 * none) until the channel is unarchived.
 */
import { ObjectId } from 'mongodb';
import type { Deps } from '../../domain/deps';
import { getOrg } from '../../domain/orgs';
import { afterLease, isBurst } from '../../domain/card-rules';
import { translator } from '../../i18n';
import type { PacedPosting } from '../../slack/paced-poster';
import type { CardPostingSettings } from './settings';
import { clearChannelIssue, GO_ON, renderCard, type Run, type Step } from './run';
import { recoverStale } from './recovery';
import { deliverDigest, makeDigest } from './digests';
import { postByDm, postToChannel } from './post-card';

export interface DeliveryOutcome {
  posted: number;
  updated: number;
  /** Run again then (a wait for a lease, a channel problem); none: when woken. */
  retryAt?: Date;
}

export interface CardDelivery {
  /** One run for one job: recover, post what waits (a digest for a burst), update changed cards. */
  deliver(teamId: string, jobIdHex: string): Promise<DeliveryOutcome>;
}

export function createCardDelivery(deps: Deps, posting: PacedPosting, settings: CardPostingSettings): CardDelivery {
  return { deliver: (teamId, jobIdHex) => deliverCards(deps, posting, settings, teamId, jobIdHex) };
}

async function postPending(run: Run): Promise<Step> {
  const { deps, teamId, job } = run;
  for (let round = 0; round < 10_000; round++) {
    // 1. a digest that still has cards to post
    if (run.mode === 'channel') {
      const digestId = await deps.store.cards.nextDigestWithCards(teamId, job._id!);
      if (digestId) {
        const s = await deliverDigest(run, digestId);
        if (s.stop) return s;
        continue;
      }
    }
    // 2. cards waiting on their own
    const pending = await deps.store.cards.pending(teamId, job._id!, 1000);
    if (pending.length === 0) return GO_ON;
    if (isBurst(pending.length, run.mode, run.settings.digestThreshold)) {
      await makeDigest(
        run,
        pending.filter((c) => !c.card?.digestId),
      );
      continue;
    }
    for (const { _id } of pending.slice(0, 100)) {
      const s = run.mode === 'dm' ? await postByDm(run, _id!) : await postToChannel(run, _id!);
      if (s.stop) return s;
    }
  }
  return GO_ON;
}

/** Slack errors after which a message cannot be updated, ever: nothing left to replace. */
const GONE = new Set([
  'message_not_found',
  'channel_not_found',
  'cant_update_message',
  'edit_window_closed',
  'is_archived',
  'not_in_channel',
]);
const gone = (err: unknown) => GONE.has(String((err as { data?: { error?: string } }).data?.error));
/** An erased candidate's card that Slack did not take: tried again this much later (at most). */
const ERASED_RETRY_MS = 30_000;

/**
 * Posted cards whose candidate changed (stage, job) or was erased: chat.update, each DM copy too.
 * An erased candidate's card stays dirty after a failure that may pass (a 429, a network error),
 * and the run asks to be run again (`retryAt`): a name must not stay in a channel because Slack
 * hiccuped.
 */
async function updateDirty(run: Run): Promise<{ updated: number; retryAt?: Date }> {
  const { deps, teamId, job } = run;
  let updated = 0;
  let retryAt: Date | undefined;
  for (const c of await deps.store.cards.dirty(teamId, job._id!, 500)) {
    const card = c.card!;
    const msg = await renderCard(run, c);
    const refs = [
      ...(card.via === 'dm' ? [] : card.channel && card.ts ? [{ channel: card.channel, ts: card.ts }] : []),
      ...(card.copies ?? []),
    ];
    let retry = false;
    for (const ref of refs) {
      try {
        await run.client.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
      } catch (err) {
        deps.logger.warn({ err, teamId, candidateId: String(c._id) }, 'could not update a card');
        if (c.erasedAt && !gone(err)) retry = true;
      }
    }
    if (retry) {
      retryAt = new Date(Date.now() + Math.min(ERASED_RETRY_MS, run.settings.retryLaterMs));
      continue;
    }
    await deps.store.cards.cleaned(c._id!, card.dirty!);
    updated++;
  }
  return { updated, retryAt };
}

async function deliverCards(
  deps: Deps,
  posting: PacedPosting,
  settings: CardPostingSettings,
  teamId: string,
  jobIdHex: string,
): Promise<DeliveryOutcome> {
  const job = await deps.store.jobs.findOne({ teamId, _id: new ObjectId(jobIdHex) });
  if (!job) return { posted: 0, updated: 0 };
  const client = await deps.slack.clientFor(teamId);
  const poster = client && (await posting.forTeam(teamId));
  if (!client || !poster) return { posted: 0, updated: 0 };
  const [org, locale] = await Promise.all([getOrg(deps, teamId), deps.slack.localeOf(teamId, job.createdBy)]);
  const run: Run = {
    deps,
    settings,
    teamId,
    job,
    org,
    t: translator(locale),
    client,
    poster,
    mode: job.channelIssue?.reason === 'is_archived' ? 'dm' : 'channel',
    posted: 0,
  };
  if (run.mode === 'dm') {
    // unarchived since? then back to the channel
    try {
      const info = await client.conversations.info({ channel: job.channelId });
      if (info.channel && !info.channel.is_archived) {
        await clearChannelIssue(run);
        run.mode = 'channel';
      }
    } catch {
      /* stay on DMs */
    }
  }
  await recoverStale(run);
  const step = await postPending(run);
  const { updated, retryAt } = await updateDirty(run);
  if (step.stop) return { posted: run.posted, updated, retryAt: step.retryAt ?? retryAt };
  const leaseUntil = await deps.store.cards.firstLeaseEnd(teamId, job._id!);
  if (leaseUntil) return { posted: run.posted, updated, retryAt: afterLease(leaseUntil) };
  return { posted: run.posted, updated, ...(retryAt ? { retryAt } : {}) };
}
