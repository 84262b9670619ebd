/**
 * Posting candidate cards to a job's channel (run by the Agenda job in src/jobs/card-jobs.ts, one
 * per team+job, so one poster per channel), woken whenever candidates are routed or a card changes.
 *
 * Exactly once, across retries, re-runs and crashes:
 *   pending ──claim (findOneAndUpdate, lease)──▶ posting ──chat.postMessage──▶ posted (channel, ts)
 * The claim is atomic, so two runs never post the same card; channel+ts are stored right after the
 * post. A card left in 'posting' past its lease (a crash, or a network error whose outcome is
 * unknown) is looked up in the channel's history by its block id (`card_<candidateId>`) before it
 * is posted again: found → posted with that ts; not found → pending again.
 *
 * Slack's limits: chat.postMessage allows ~1 message per second per channel. The poster paces
 * itself at `cardPosting.intervalMs` per channel and, on a 429, waits exactly Retry-After (touching
 * the Agenda lock meanwhile) and retries the same claimed card. It uses its own WebClient (the
 * gateway's token) with `rejectRateLimitedCalls: true` and `retries: 0`: @slack/web-api would
 * otherwise (v7, WebClient.makeRequest) pause the workspace's whole request queue for Retry-After
 * and then retry with its own extra backoff for up to ~30 minutes, and it would silently retry a
 * network error — which for chat.postMessage (no idempotency key) can post twice.
 *
 * A burst: when `digestThreshold` or more cards wait for one job, one digest message is posted
 * ("N new candidates for <job>", counts per medium) and the cards go into its thread, in applied-at
 * order, instead of N top-level messages.
 *
 * Channel problems: not_in_channel / channel_not_found → the cards stay pending, the job's admins
 * are told once (with the /invite line), and the job retries later or as soon as the bot is invited
 * (member_joined_channel). is_archived → cards go by DM to the job's admins (org admins if none).
 */
import { ObjectId } from 'mongodb';
import { WebClient, ErrorCode, LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Deps } from './deps';
import type { CandidateDoc, CardDigestDoc, JobDoc, OrgDoc } from '../storage/types';
import type { Medium } from '../vocabulary';
import { translator, type T } from '../i18n';
import { getOrg } from './orgs';
import { orgAdmins } from './members';
import { loadCardFacts } from './cards';
import { cardBlockId, cardMessage, digestMessage } from '../../views/candidate';

/** Tunables (tests shorten them; production keeps Slack's pace). */
export const cardPosting = {
  /** Minimum gap between two posts to one channel (Slack: ~1 message per second per channel). */
  intervalMs: 1_000,
  /** This many cards waiting for one job at once → one digest message with the cards in its thread. */
  digestThreshold: 10,
  /** How long a claimed card may stay 'posting' before another run checks the channel for it. */
  leaseMs: 2 * 60_000,
  /** When the bot cannot reach the channel (not invited), retry after this long. */
  retryLaterMs: 10 * 60_000,
  /** Cap on one Retry-After wait. */
  maxRetryAfterSec: 120,
};

export function configureCardPosting(o: Partial<typeof cardPosting>) {
  Object.assign(cardPosting, o);
}

interface Run {
  deps: Deps;
  teamId: string;
  job: JobDoc;
  org: OrgDoc;
  t: T;
  base: WebClient;
  poster: WebClient;
  mode: 'channel' | 'dm';
  posted: number;
}

type SendResult =
  | { kind: 'ok'; channel: string; ts: string }
  | { kind: 'channel_issue'; reason: 'not_in_channel' | 'channel_not_found' | 'is_archived' }
  | { kind: 'ambiguous'; error: string }
  | { kind: 'failed'; error: string };

export interface PostOutcome {
  posted: number;
  updated: number;
  retryAt?: Date;
}

const nextSlot = new Map<string, number>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pace(teamId: string, channel: string) {
  const key = `${teamId}:${channel}`;
  const wait = (nextSlot.get(key) ?? 0) - Date.now();
  if (wait > 0) await sleep(wait);
  if (nextSlot.size > 10_000) for (const [k, at] of nextSlot) if (at < Date.now()) nextSlot.delete(k);
  nextSlot.set(key, Date.now() + cardPosting.intervalMs);
}

function slackLogger(deps: Deps): SlackLogger {
  const l = deps.logger.child({ component: 'card-poster' });
  return {
    debug: () => undefined,
    info: (...m) => l.debug(m.map(String).join(' ')),
    warn: (...m) => l.debug(m.map(String).join(' ')),
    error: (...m) => l.warn(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

function posterClient(deps: Deps, base: WebClient, teamId: string): WebClient {
  return new WebClient(base.token, {
    slackApiUrl: deps.config.SLACK_API_URL,
    teamId,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 30_000,
    logger: slackLogger(deps),
  });
}

function errorCode(err: unknown): { code?: string; api?: string; retryAfter?: number } {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number };
  return { code: e?.code, api: e?.data?.error, retryAfter: e?.retryAfter };
}

/** One chat.postMessage, paced, waiting out every 429's Retry-After (the card stays claimed). */
async function send(run: Run, channel: string, msg: { text: string; blocks: unknown[] }, opts: { threadTs?: string; extendLease?: () => Promise<void> } = {}): Promise<SendResult> {
  for (let attempt = 0; ; attempt++) {
    await pace(run.teamId, channel);
    try {
      const res = await run.poster.chat.postMessage({
        channel,
        text: msg.text,
        blocks: msg.blocks as never,
        unfurl_links: false,
        unfurl_media: false,
        ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
      });
      return { kind: 'ok', channel: res.channel ?? channel, ts: res.ts! };
    } catch (err) {
      const { code, api, retryAfter } = errorCode(err);
      if (code === ErrorCode.RateLimitedError || api === 'ratelimited' || api === 'rate_limited') {
        const sec = Math.min(Math.max(retryAfter ?? 1, 1), cardPosting.maxRetryAfterSec);
        run.deps.logger.info({ teamId: run.teamId, channel, retryAfter: sec }, 'chat.postMessage rate limited; waiting Retry-After');
        nextSlot.set(`${run.teamId}:${channel}`, Date.now() + sec * 1000);
        await opts.extendLease?.();
        if (attempt > 50) return { kind: 'ambiguous', error: 'rate limited too long' }; // not posted: a 429 is definite
        continue;
      }
      if (code === ErrorCode.PlatformError) {
        if (api === 'not_in_channel' || api === 'channel_not_found' || api === 'is_archived') return { kind: 'channel_issue', reason: api };
        return { kind: 'failed', error: api ?? 'unknown' };
      }
      // request/HTTP errors: the message may or may not have been posted
      run.deps.logger.warn({ err, teamId: run.teamId, channel }, 'chat.postMessage failed without an answer');
      return { kind: 'ambiguous', error: code ?? 'unknown' };
    }
  }
}

function leaseUntil() {
  return new Date(Date.now() + cardPosting.leaseMs);
}

async function recipientsOf(deps: Deps, job: JobDoc): Promise<string[]> {
  return job.admins.length ? job.admins : orgAdmins(deps, job.teamId);
}

async function renderCard(run: Run, c: CandidateDoc) {
  return cardMessage(run.t, await loadCardFacts(run.deps, c, run.job, run.org));
}

/** Records a channel problem once and tells the job's admins about it once. */
async function flagChannelIssue(run: Run, reason: 'not_in_channel' | 'channel_not_found' | 'is_archived') {
  const { deps, job, teamId } = run;
  const flagged = await deps.store.jobs.findOneAndUpdate(
    // a new reason, or the one recorded when the job was saved (nobody told the job's admins yet)
    { teamId, _id: job._id, $or: [{ 'channelIssue.reason': { $ne: reason } }, { 'channelIssue.notifiedAt': { $exists: false } }] },
    { $set: { channelIssue: { reason, since: new Date() } } },
    { returnDocument: 'after' },
  );
  if (!flagged) return;
  run.job = flagged;
  const waiting = await deps.store.candidates.countDocuments({ teamId, 'card.jobId': job._id, 'card.state': { $in: ['pending', 'posting'] } });
  await deps.notifier.channelProblem(teamId, await recipientsOf(deps, job), { reason, channelId: job.channelId, job: job.name, waiting });
  await deps.store.jobs.updateOne({ teamId, _id: job._id }, { $set: { 'channelIssue.notifiedAt': new Date() } });
}

async function clearChannelIssue(run: Run) {
  if (!run.job.channelIssue) return;
  await run.deps.store.jobs.updateOne({ teamId: run.teamId, _id: run.job._id }, { $unset: { channelIssue: '' } });
  run.job = { ...run.job, channelIssue: undefined };
}

/** Looks for an already posted message by block id (after a crash or an unanswered post). */
async function findPosted(run: Run, channel: string, blockId: string, since: Date | undefined, threadTs?: string): Promise<string | null | 'unknown'> {
  try {
    const oldest = since ? String(Math.floor(since.getTime() / 1000) - 120) : undefined;
    const res = threadTs
      ? await run.base.conversations.replies({ channel, ts: threadTs, limit: 1000 })
      : await run.base.conversations.history({ channel, limit: 200, ...(oldest ? { oldest } : {}) });
    const hit = (res.messages ?? []).find((m) => (m.blocks ?? []).some((b) => (b as { block_id?: string }).block_id === blockId));
    return hit?.ts ?? null;
  } catch (err) {
    run.deps.logger.warn({ err, teamId: run.teamId, channel }, 'could not check the channel history for an unconfirmed card; it will be posted again');
    return 'unknown';
  }
}

/** Cards and digests stuck in 'posting' past their lease: posted after all, or pending again. */
async function recoverStale(run: Run) {
  const { deps, teamId, job } = run;
  const now = new Date();
  const digests = deps.store.db.collection<CardDigestDoc>('cardDigests');
  for (const d of await digests.find({ teamId, jobId: job._id!, state: 'posting', leaseUntil: { $lt: now } }).toArray()) {
    const ts = await findPosted(run, d.channel, `digest_${d._id}`, d.claimedAt);
    await digests.updateOne(
      { _id: d._id, state: 'posting', leaseUntil: { $lt: now } },
      typeof ts === 'string' && ts !== 'unknown' ? { $set: { state: 'posted', ts }, $unset: { leaseUntil: '' } } : { $set: { state: 'pending' }, $unset: { leaseUntil: '' } },
    );
  }
  const stale = await deps.store.candidates
    .find({ teamId, 'card.jobId': job._id, 'card.state': 'posting', 'card.leaseUntil': { $lt: now } })
    .limit(200)
    .toArray();
  for (const c of stale) {
    const card = c.card!;
    let ts: string | null | 'unknown' = null;
    let threadTs: string | undefined;
    if (card.via !== 'dm' && card.channel) {
      if (card.digestId) threadTs = (await digests.findOne({ _id: card.digestId }))?.ts;
      ts = await findPosted(run, card.channel, cardBlockId(String(c._id)), card.claimedAt, threadTs);
    }
    const filter = { _id: c._id, 'card.state': 'posting' as const, 'card.leaseUntil': { $lt: now } };
    if (typeof ts === 'string' && ts !== 'unknown') {
      await deps.store.candidates.updateOne(filter, {
        $set: { 'card.state': 'posted', 'card.ts': ts, 'card.postedAt': new Date(), 'card.via': 'channel', ...(threadTs ? { 'card.threadTs': threadTs } : {}) },
        $unset: { 'card.leaseUntil': '' },
      });
    } else {
      await deps.store.candidates.updateOne(filter, { $set: { 'card.state': 'pending' }, $unset: { 'card.leaseUntil': '' } });
    }
  }
}

async function claim(run: Run, id: ObjectId, channel: string): Promise<CandidateDoc | null> {
  return run.deps.store.candidates.findOneAndUpdate(
    { teamId: run.teamId, _id: id, 'card.state': 'pending', 'card.jobId': run.job._id },
    { $set: { 'card.state': 'posting', 'card.claimedAt': new Date(), 'card.leaseUntil': leaseUntil(), 'card.channel': channel }, $inc: { 'card.attempts': 1 } },
    { returnDocument: 'after' },
  );
}

type Step = { stop: false } | { stop: true; retryAt?: Date };

/** Posts one claimed card to the channel (top level or in a digest's thread). */
async function postToChannel(run: Run, id: ObjectId, threadTs?: string): Promise<Step> {
  const { deps } = run;
  const channel = run.job.channelId;
  const c = await claim(run, id, channel);
  if (!c) return { stop: false };
  const msg = await renderCard(run, c);
  const extendLease = async () => {
    await deps.store.candidates.updateOne({ _id: id, 'card.state': 'posting' }, { $set: { 'card.leaseUntil': leaseUntil() } });
  };
  const res = await send(run, channel, msg, { threadTs, extendLease });
  if (res.kind === 'ok') {
    await deps.store.candidates.updateOne(
      { _id: id, 'card.state': 'posting' },
      {
        $set: { 'card.state': 'posted', 'card.channel': res.channel, 'card.ts': res.ts, 'card.postedAt': new Date(), 'card.via': 'channel', ...(threadTs ? { 'card.threadTs': threadTs } : {}) },
        $unset: { 'card.leaseUntil': '' },
      },
    );
    run.posted++;
    await clearChannelIssue(run);
    return { stop: false };
  }
  if (res.kind === 'ambiguous') return { stop: true, retryAt: new Date(Date.now() + cardPosting.leaseMs + 1_000) };
  if (res.kind === 'failed') {
    deps.logger.error({ teamId: run.teamId, candidateId: String(id), error: res.error }, 'a card could not be posted');
    await deps.store.candidates.updateOne({ _id: id, 'card.state': 'posting' }, { $set: { 'card.state': 'failed', 'card.error': res.error }, $unset: { 'card.leaseUntil': '' } });
    return { stop: false };
  }
  await deps.store.candidates.updateOne({ _id: id, 'card.state': 'posting' }, { $set: { 'card.state': 'pending' }, $unset: { 'card.leaseUntil': '' } });
  await flagChannelIssue(run, res.reason);
  if (res.reason === 'is_archived') {
    run.mode = 'dm';
    return { stop: false };
  }
  return { stop: true, retryAt: new Date(Date.now() + cardPosting.retryLaterMs) };
}

/** Archived channel: the card goes by DM to each of the job's admins; each copy is recorded at once. */
async function postByDm(run: Run, id: ObjectId): Promise<Step> {
  const { deps, teamId } = run;
  const c = await claim(run, id, run.job.channelId);
  if (!c) return { stop: false };
  const msg = await renderCard(run, c);
  const done = new Set((c.card?.copies ?? []).map((x) => x.channel));
  for (const userId of await recipientsOf(deps, run.job)) {
    let dm: string | undefined;
    try {
      dm = (await run.base.conversations.open({ users: userId })).channel?.id;
    } catch (err) {
      deps.logger.warn({ err, teamId, userId }, 'could not open a DM for a card');
    }
    if (!dm || done.has(dm)) continue;
    const res = await send(run, dm, msg, {
      extendLease: async () => {
        await deps.store.candidates.updateOne({ _id: id, 'card.state': 'posting' }, { $set: { 'card.leaseUntil': leaseUntil() } });
      },
    });
    if (res.kind === 'ok') {
      await deps.store.candidates.updateOne({ _id: id }, { $push: { 'card.copies': { channel: res.channel, ts: res.ts } } });
      done.add(dm);
    } else if (res.kind === 'ambiguous') {
      return { stop: true, retryAt: new Date(Date.now() + cardPosting.leaseMs + 1_000) };
    }
  }
  const after = await deps.store.candidates.findOne({ _id: id });
  const first = after?.card?.copies?.[0];
  if (!first) {
    await deps.store.candidates.updateOne({ _id: id, 'card.state': 'posting' }, { $set: { 'card.state': 'pending' }, $unset: { 'card.leaseUntil': '' } });
    return { stop: true, retryAt: new Date(Date.now() + cardPosting.retryLaterMs) };
  }
  await deps.store.candidates.updateOne(
    { _id: id, 'card.state': 'posting' },
    { $set: { 'card.state': 'posted', 'card.via': 'dm', 'card.channel': first.channel, 'card.ts': first.ts, 'card.postedAt': new Date() }, $unset: { 'card.leaseUntil': '' } },
  );
  run.posted++;
  return { stop: false };
}

/** Makes sure a digest's parent message is posted (same claim protocol as a card). */
async function ensureDigestPosted(run: Run, digestId: ObjectId): Promise<{ ts?: string; step?: Step }> {
  const digests = run.deps.store.db.collection<CardDigestDoc>('cardDigests');
  const d = await digests.findOne({ _id: digestId, teamId: run.teamId });
  if (!d) return {};
  if (d.state === 'posted') return { ts: d.ts };
  if (d.state === 'posting') return { step: { stop: true, retryAt: d.leaseUntil ? new Date(d.leaseUntil.getTime() + 1_000) : undefined } };
  const claimed = await digests.findOneAndUpdate(
    { _id: digestId, state: 'pending' },
    { $set: { state: 'posting', claimedAt: new Date(), leaseUntil: leaseUntil(), channel: run.job.channelId } },
    { returnDocument: 'after' },
  );
  if (!claimed) return { step: { stop: false } };
  const byMedium = Object.entries(claimed.byMedium).map(([m, n]) => ({ medium: m as Medium, n }));
  const msg = digestMessage(run.t, { id: String(digestId), job: run.job.name, count: claimed.count, byMedium });
  const res = await send(run, run.job.channelId, msg, {
    extendLease: async () => {
      await digests.updateOne({ _id: digestId, state: 'posting' }, { $set: { leaseUntil: leaseUntil() } });
    },
  });
  if (res.kind === 'ok') {
    await digests.updateOne({ _id: digestId, state: 'posting' }, { $set: { state: 'posted', ts: res.ts, channel: res.channel }, $unset: { leaseUntil: '' } });
    await clearChannelIssue(run);
    return { ts: res.ts };
  }
  if (res.kind === 'ambiguous') return { step: { stop: true, retryAt: new Date(Date.now() + cardPosting.leaseMs + 1_000) } };
  await digests.updateOne({ _id: digestId, state: 'posting' }, { $set: { state: 'pending' }, $unset: { leaseUntil: '' } });
  if (res.kind === 'failed') {
    // the digest itself cannot be posted: its cards go top level instead
    await run.deps.store.candidates.updateMany({ teamId: run.teamId, 'card.digestId': digestId, 'card.state': 'pending' }, { $unset: { 'card.digestId': '' } });
    return { step: { stop: false } };
  }
  await flagChannelIssue(run, res.reason);
  if (res.reason === 'is_archived') {
    run.mode = 'dm';
    return { step: { stop: false } };
  }
  return { step: { stop: true, retryAt: new Date(Date.now() + cardPosting.retryLaterMs) } };
}

/** Groups a burst into a digest: the digest doc first, then its cards (an orphan digest is harmless). */
async function makeDigest(run: Run, cards: Pick<CandidateDoc, '_id' | 'medium'>[]): Promise<ObjectId> {
  const digests = run.deps.store.db.collection<CardDigestDoc>('cardDigests');
  const byMedium: Record<string, number> = {};
  for (const c of cards) byMedium[c.medium] = (byMedium[c.medium] ?? 0) + 1;
  const _id = new ObjectId();
  await digests.insertOne({ _id, teamId: run.teamId, jobId: run.job._id!, channel: run.job.channelId, count: cards.length, byMedium, state: 'pending', createdAt: new Date() });
  const res = await run.deps.store.candidates.updateMany(
    { teamId: run.teamId, _id: { $in: cards.map((c) => c._id!) }, 'card.state': 'pending', 'card.digestId': { $exists: false } },
    { $set: { 'card.digestId': _id } },
  );
  if (res.modifiedCount !== cards.length) {
    const grouped = await run.deps.store.candidates.find({ teamId: run.teamId, 'card.digestId': _id }, { projection: { medium: 1 } }).toArray();
    const counts: Record<string, number> = {};
    for (const c of grouped) counts[c.medium] = (counts[c.medium] ?? 0) + 1;
    await digests.updateOne({ _id }, { $set: { count: grouped.length, byMedium: counts } });
  }
  return _id;
}

async function postPending(run: Run): Promise<Step> {
  const { deps, teamId, job } = run;
  const sort = { appliedAt: 1, _id: 1 } as const;
  for (let round = 0; round < 10_000; round++) {
    // 1. a digest that still has cards to post
    const inDigest = await deps.store.candidates.findOne(
      { teamId, 'card.jobId': job._id, 'card.state': 'pending', 'card.digestId': { $exists: true } },
      { sort, projection: { card: 1 } },
    );
    if (inDigest && run.mode === 'channel') {
      const digestId = inDigest.card!.digestId!;
      const { ts, step } = await ensureDigestPosted(run, digestId);
      if (step) {
        if (step.stop) return step;
        continue;
      }
      if (!ts) {
        await deps.store.candidates.updateMany({ teamId, 'card.digestId': digestId, 'card.state': 'pending' }, { $unset: { 'card.digestId': '' } });
        continue;
      }
      const ids = await deps.store.candidates.find({ teamId, 'card.digestId': digestId, 'card.state': 'pending' }, { sort, projection: { _id: 1 } }).toArray();
      for (const { _id } of ids) {
        const s = await postToChannel(run, _id!, ts);
        if (s.stop) return s;
        if (run.mode !== 'channel') break;
      }
      continue;
    }
    // 2. cards waiting on their own
    const pending = await deps.store.candidates
      .find({ teamId, 'card.jobId': job._id, 'card.state': 'pending' }, { sort, projection: { _id: 1, medium: 1, card: 1 }, limit: 1000 })
      .toArray();
    if (pending.length === 0) return { stop: false };
    if (run.mode === 'channel' && pending.length >= cardPosting.digestThreshold) {
      await makeDigest(run, pending.filter((c) => !c.card?.digestId));
      continue;
    }
    for (const { _id } of pending.slice(0, 100)) {
      const s = run.mode === 'dm' ? await postByDm(run, _id!) : await postToChannel(run, _id!);
      if (s.stop) return s;
    }
  }
  return { stop: false };
}

/** Posted cards whose candidate changed (stage, job): chat.update, each copy too. */
async function updateDirty(run: Run): Promise<number> {
  const { deps, teamId, job } = run;
  let updated = 0;
  const dirty = await deps.store.candidates.find({ teamId, 'card.jobId': job._id, 'card.state': 'posted', 'card.dirty': { $gt: 0 } }).limit(500).toArray();
  for (const c of dirty) {
    const card = c.card!;
    const msg = await renderCard(run, c);
    const refs = [...(card.via === 'dm' ? [] : card.channel && card.ts ? [{ channel: card.channel, ts: card.ts }] : []), ...(card.copies ?? [])];
    for (const ref of refs) {
      try {
        await run.base.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks as never });
      } catch (err) {
        deps.logger.warn({ err, teamId, candidateId: String(c._id) }, 'could not update a card');
      }
    }
    await deps.store.candidates.updateOne({ _id: c._id, 'card.dirty': card.dirty }, { $unset: { 'card.dirty': '' } });
    updated++;
  }
  return updated;
}

/** One run of a job's poster: recover, post what waits (digest for a burst), update changed cards. */
export async function postCardsForJob(deps: Deps, teamId: string, jobIdHex: string): Promise<PostOutcome> {
  const job = await deps.store.jobs.findOne({ teamId, _id: new ObjectId(jobIdHex) });
  if (!job) return { posted: 0, updated: 0 };
  const base = await deps.slack.clientFor(teamId);
  if (!base) return { posted: 0, updated: 0 };
  const [org, locale] = await Promise.all([getOrg(deps, teamId), deps.slack.localeOf(teamId, job.createdBy)]);
  const run: Run = {
    deps, teamId, job, org, t: translator(locale), base, poster: posterClient(deps, base, teamId),
    mode: job.channelIssue?.reason === 'is_archived' ? 'dm' : 'channel', posted: 0,
  };
  if (run.mode === 'dm') {
    // unarchived since? then back to the channel
    try {
      const info = await base.conversations.info({ channel: job.channelId });
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
  const updated = await updateDirty(run);
  if (step.stop) return { posted: run.posted, updated, retryAt: step.retryAt };
  const inFlight = await deps.store.candidates.findOne(
    { teamId, 'card.jobId': job._id, 'card.state': 'posting' },
    { sort: { 'card.leaseUntil': 1 }, projection: { card: 1 } },
  );
  if (inFlight?.card?.leaseUntil) return { posted: run.posted, updated, retryAt: new Date(inFlight.card.leaseUntil.getTime() + 1_000) };
  return { posted: run.posted, updated };
}

