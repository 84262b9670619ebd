/**
 * Candidate cards and digest messages as data (docs/cards.md). Each transition of the delivery
 * protocol is one atomic operation whose filter is the state it starts from, so a transition that
 * lost a race changes nothing:
 *
 *   card    pending ──claim──▶ posting ──posted──▶ posted      release: posting → pending
 *                              (lease)                         fail:    posting → failed
 *   digest  pending ──claim──▶ posting ──posted──▶ posted      release: posting → pending
 *
 * A claim carries a lease (extendLease while a post waits out a 429); a claim left past its lease
 * is settled by recoverPosted (it reached Slack after all) or recoverPending. Storage knows no
 * rules: when to claim, group or give up is decided by the delivery (src/notifier/cards) and the
 * domain (src/domain/card-rules.ts).
 */
import { ObjectId, type Collection } from 'mongodb';
import type { ChannelIssueReason, Medium } from '../vocabulary';
import type { CandidateDoc, CardDigestDoc, JobDoc } from './types';

/** Cards in the order a channel gets them: applied-at, then id. */
const APPLIED = { appliedAt: 1, _id: 1 } as const;

export interface CardStore {
  /** pending → posting for `channel`, with a lease; null when it is not (or no longer) pending for the job. */
  claim(teamId: string, jobId: ObjectId, candidateId: ObjectId, channel: string, leaseUntil: Date): Promise<CandidateDoc | null>;
  extendLease(candidateId: ObjectId, leaseUntil: Date): Promise<void>;
  /** posting → posted, with where the message is (a digest's thread, or `via: 'dm'` for the first DM copy). */
  posted(candidateId: ObjectId, at: { channel: string; ts: string; threadTs?: string; via: 'channel' | 'dm' }): Promise<void>;
  /** posting → pending (the post did not happen). */
  release(candidateId: ObjectId): Promise<void>;
  /** posting → failed (Slack refused the message itself). */
  fail(candidateId: ObjectId, error: string): Promise<void>;
  /** One DM copy sent (archived channel), recorded at once so a retry does not send it again. */
  addCopy(candidateId: ObjectId, copy: { channel: string; ts: string }): Promise<void>;
  copies(candidateId: ObjectId): Promise<{ channel: string; ts: string }[]>;

  /** Claims of a job left in posting past their lease (at most `limit`). */
  stale(teamId: string, jobId: ObjectId, now: Date, limit?: number): Promise<CandidateDoc[]>;
  /** A stale claim that reached the channel after all: posted with the ts found there. */
  recoverPosted(candidateId: ObjectId, now: Date, at: { ts: string; threadTs?: string }): Promise<void>;
  /** A stale claim not found in the channel: pending again. */
  recoverPending(candidateId: ObjectId, now: Date): Promise<void>;
  /** The earliest posting claim of a job: its lease's end. */
  firstLeaseEnd(teamId: string, jobId: ObjectId): Promise<Date | undefined>;

  /** The digest of the earliest pending card of a job that is in one. */
  nextDigestWithCards(teamId: string, jobId: ObjectId): Promise<ObjectId | null>;
  /** A digest's pending cards, in applied-at order. */
  pendingInDigest(teamId: string, digestId: ObjectId): Promise<ObjectId[]>;
  /** A digest's pending cards leave it (they go top level). */
  ungroup(teamId: string, digestId: ObjectId): Promise<void>;
  /** A job's pending cards, in applied-at order (at most `limit`). */
  pending(teamId: string, jobId: ObjectId, limit: number): Promise<Pick<CandidateDoc, '_id' | 'medium' | 'card'>[]>;
  /** Puts still ungrouped pending cards into a digest; how many it took. */
  group(teamId: string, candidateIds: ObjectId[], digestId: ObjectId): Promise<number>;
  /** The media of a digest's cards (to recount it). */
  mediaInDigest(teamId: string, digestId: ObjectId): Promise<Medium[]>;

  /** A change a posted card must show: dirty + 1; the card's job (to wake its poster), or null without a card. */
  markDirty(teamId: string, candidateId: ObjectId): Promise<ObjectId | null>;
  /** Posted cards of a job with a change to show (at most `limit`). */
  dirty(teamId: string, jobId: ObjectId, limit: number): Promise<CandidateDoc[]>;
  /** The card shows change number `dirty`: clean, unless another change came meanwhile. */
  cleaned(candidateId: ObjectId, dirty: number): Promise<void>;

  /** Cards of a job not yet in the channel (pending or posting). */
  waiting(teamId: string, jobId: ObjectId): Promise<number>;
  /** Whether a job has cards to post or to update. */
  hasWork(teamId: string, jobId: ObjectId): Promise<boolean>;
  /** Jobs of a team with cards to post, in flight, or to update. */
  jobsWithWork(teamId: string): Promise<ObjectId[]>;

  /** Records a channel problem unless this one was recorded and told already; the job after, or null. */
  flagChannelIssue(teamId: string, jobId: ObjectId, reason: ChannelIssueReason, now: Date): Promise<JobDoc | null>;
  channelIssueNotified(teamId: string, jobId: ObjectId, now: Date): Promise<void>;
  clearChannelIssue(teamId: string, jobId: ObjectId): Promise<void>;
}

export interface DigestStore {
  /** A new pending digest of `count` cards (its cards are grouped afterwards: an orphan digest is harmless). */
  create(d: {
    teamId: string;
    jobId: ObjectId;
    channel: string;
    count: number;
    byMedium: Partial<Record<Medium, number>>;
  }): Promise<ObjectId>;
  recount(digestId: ObjectId, count: number, byMedium: Partial<Record<Medium, number>>): Promise<void>;
  get(teamId: string, digestId: ObjectId): Promise<CardDigestDoc | null>;
  /** pending → posting for `channel`, with a lease; null when it is not pending. */
  claim(digestId: ObjectId, channel: string, leaseUntil: Date): Promise<CardDigestDoc | null>;
  extendLease(digestId: ObjectId, leaseUntil: Date): Promise<void>;
  posted(digestId: ObjectId, at: { channel: string; ts: string }): Promise<void>;
  release(digestId: ObjectId): Promise<void>;
  /** Digests of a job left in posting past their lease. */
  stale(teamId: string, jobId: ObjectId, now: Date): Promise<CardDigestDoc[]>;
  recoverPosted(digestId: ObjectId, now: Date, ts: string): Promise<void>;
  recoverPending(digestId: ObjectId, now: Date): Promise<void>;
}

export function createCardStore(c: { candidates: Collection<CandidateDoc>; jobs: Collection<JobDoc> }): CardStore {
  const { candidates, jobs } = c;
  const claimed = (id: ObjectId) => ({ _id: id, 'card.state': 'posting' as const });
  const staleClaim = (id: ObjectId, now: Date) => ({ _id: id, 'card.state': 'posting' as const, 'card.leaseUntil': { $lt: now } });
  return {
    claim: (teamId, jobId, id, channel, leaseUntil) =>
      candidates.findOneAndUpdate(
        { teamId, _id: id, 'card.state': 'pending', 'card.jobId': jobId },
        {
          $set: { 'card.state': 'posting', 'card.claimedAt': new Date(), 'card.leaseUntil': leaseUntil, 'card.channel': channel },
          $inc: { 'card.attempts': 1 },
        },
        { returnDocument: 'after' },
      ),
    async extendLease(id, leaseUntil) {
      await candidates.updateOne(claimed(id), { $set: { 'card.leaseUntil': leaseUntil } });
    },
    async posted(id, at) {
      await candidates.updateOne(claimed(id), {
        $set: {
          'card.state': 'posted',
          'card.channel': at.channel,
          'card.ts': at.ts,
          'card.postedAt': new Date(),
          'card.via': at.via,
          ...(at.threadTs ? { 'card.threadTs': at.threadTs } : {}),
        },
        $unset: { 'card.leaseUntil': '' },
      });
    },
    async release(id) {
      await candidates.updateOne(claimed(id), { $set: { 'card.state': 'pending' }, $unset: { 'card.leaseUntil': '' } });
    },
    async fail(id, error) {
      await candidates.updateOne(claimed(id), { $set: { 'card.state': 'failed', 'card.error': error }, $unset: { 'card.leaseUntil': '' } });
    },
    async addCopy(id, copy) {
      await candidates.updateOne({ _id: id }, { $push: { 'card.copies': copy } });
    },
    async copies(id) {
      return (await candidates.findOne({ _id: id }, { projection: { card: 1 } }))?.card?.copies ?? [];
    },

    stale: (teamId, jobId, now, limit = 200) =>
      candidates
        .find({ teamId, 'card.jobId': jobId, 'card.state': 'posting', 'card.leaseUntil': { $lt: now } })
        .limit(limit)
        .toArray(),
    async recoverPosted(id, now, at) {
      await candidates.updateOne(staleClaim(id, now), {
        $set: {
          'card.state': 'posted',
          'card.ts': at.ts,
          'card.postedAt': new Date(),
          'card.via': 'channel',
          ...(at.threadTs ? { 'card.threadTs': at.threadTs } : {}),
        },
        $unset: { 'card.leaseUntil': '' },
      });
    },
    async recoverPending(id, now) {
      await candidates.updateOne(staleClaim(id, now), { $set: { 'card.state': 'pending' }, $unset: { 'card.leaseUntil': '' } });
    },
    async firstLeaseEnd(teamId, jobId) {
      const c = await candidates.findOne(
        { teamId, 'card.jobId': jobId, 'card.state': 'posting' },
        { sort: { 'card.leaseUntil': 1 }, projection: { card: 1 } },
      );
      return c?.card?.leaseUntil;
    },

    async nextDigestWithCards(teamId, jobId) {
      const c = await candidates.findOne(
        { teamId, 'card.jobId': jobId, 'card.state': 'pending', 'card.digestId': { $exists: true } },
        { sort: APPLIED, projection: { card: 1 } },
      );
      return c?.card?.digestId ?? null;
    },
    async pendingInDigest(teamId, digestId) {
      const docs = await candidates
        .find({ teamId, 'card.digestId': digestId, 'card.state': 'pending' }, { sort: APPLIED, projection: { _id: 1 } })
        .toArray();
      return docs.map((d) => d._id!);
    },
    async ungroup(teamId, digestId) {
      await candidates.updateMany({ teamId, 'card.digestId': digestId, 'card.state': 'pending' }, { $unset: { 'card.digestId': '' } });
    },
    pending: (teamId, jobId, limit) =>
      candidates
        .find(
          { teamId, 'card.jobId': jobId, 'card.state': 'pending' },
          { sort: APPLIED, projection: { _id: 1, medium: 1, card: 1 }, limit },
        )
        .toArray(),
    async group(teamId, ids, digestId) {
      const res = await candidates.updateMany(
        { teamId, _id: { $in: ids }, 'card.state': 'pending', 'card.digestId': { $exists: false } },
        { $set: { 'card.digestId': digestId } },
      );
      return res.modifiedCount;
    },
    async mediaInDigest(teamId, digestId) {
      return (await candidates.find({ teamId, 'card.digestId': digestId }, { projection: { medium: 1 } }).toArray()).map((c) => c.medium);
    },

    async markDirty(teamId, id) {
      const c = await candidates.findOneAndUpdate(
        { teamId, _id: id, card: { $exists: true } },
        { $inc: { 'card.dirty': 1 } },
        { returnDocument: 'after', projection: { card: 1 } },
      );
      return c?.card?.jobId ?? null;
    },
    dirty: (teamId, jobId, limit) =>
      candidates
        .find({ teamId, 'card.jobId': jobId, 'card.state': 'posted', 'card.dirty': { $gt: 0 } })
        .limit(limit)
        .toArray(),
    async cleaned(id, dirty) {
      await candidates.updateOne({ _id: id, 'card.dirty': dirty }, { $unset: { 'card.dirty': '' } });
    },

    waiting: (teamId, jobId) => candidates.countDocuments({ teamId, 'card.jobId': jobId, 'card.state': { $in: ['pending', 'posting'] } }),
    async hasWork(teamId, jobId) {
      return (
        (await candidates.countDocuments(
          { teamId, 'card.jobId': jobId, $or: [{ 'card.state': 'pending' }, { 'card.state': 'posted', 'card.dirty': { $gt: 0 } }] },
          { limit: 1 },
        )) > 0
      );
    },
    async jobsWithWork(teamId) {
      const rows = await candidates
        .aggregate<{ _id: ObjectId | null }>([
          {
            $match: {
              teamId,
              $or: [{ 'card.state': { $in: ['pending', 'posting'] } }, { 'card.state': 'posted', 'card.dirty': { $gt: 0 } }],
            },
          },
          { $group: { _id: '$card.jobId' } },
        ])
        .toArray();
      return rows.flatMap((r) => (r._id ? [r._id] : []));
    },

    flagChannelIssue: (teamId, jobId, reason, now) =>
      jobs.findOneAndUpdate(
        // a new reason, or the one recorded when the job was saved (nobody told the job's admins yet)
        { teamId, _id: jobId, $or: [{ 'channelIssue.reason': { $ne: reason } }, { 'channelIssue.notifiedAt': { $exists: false } }] },
        { $set: { channelIssue: { reason, since: now } } },
        { returnDocument: 'after' },
      ),
    async channelIssueNotified(teamId, jobId, now) {
      await jobs.updateOne({ teamId, _id: jobId }, { $set: { 'channelIssue.notifiedAt': now } });
    },
    async clearChannelIssue(teamId, jobId) {
      await jobs.updateOne({ teamId, _id: jobId }, { $unset: { channelIssue: '' } });
    },
  };
}

export function createDigestStore(digests: Collection<CardDigestDoc>): DigestStore {
  const claimed = (id: ObjectId) => ({ _id: id, state: 'posting' as const });
  const staleClaim = (id: ObjectId, now: Date) => ({ _id: id, state: 'posting' as const, leaseUntil: { $lt: now } });
  return {
    async create(d) {
      const _id = new ObjectId();
      await digests.insertOne({ _id, ...d, state: 'pending', createdAt: new Date() });
      return _id;
    },
    async recount(id, count, byMedium) {
      await digests.updateOne({ _id: id }, { $set: { count, byMedium } });
    },
    get: (teamId, id) => digests.findOne({ _id: id, teamId }),
    claim: (id, channel, leaseUntil) =>
      digests.findOneAndUpdate(
        { _id: id, state: 'pending' },
        { $set: { state: 'posting', claimedAt: new Date(), leaseUntil, channel } },
        { returnDocument: 'after' },
      ),
    async extendLease(id, leaseUntil) {
      await digests.updateOne(claimed(id), { $set: { leaseUntil } });
    },
    async posted(id, at) {
      await digests.updateOne(claimed(id), { $set: { state: 'posted', ts: at.ts, channel: at.channel }, $unset: { leaseUntil: '' } });
    },
    async release(id) {
      await digests.updateOne(claimed(id), { $set: { state: 'pending' }, $unset: { leaseUntil: '' } });
    },
    stale: (teamId, jobId, now) => digests.find({ teamId, jobId, state: 'posting', leaseUntil: { $lt: now } }).toArray(),
    async recoverPosted(id, now, ts) {
      await digests.updateOne(staleClaim(id, now), { $set: { state: 'posted', ts }, $unset: { leaseUntil: '' } });
    },
    async recoverPending(id, now) {
      await digests.updateOne(staleClaim(id, now), { $set: { state: 'pending' }, $unset: { leaseUntil: '' } });
    },
  };
}
