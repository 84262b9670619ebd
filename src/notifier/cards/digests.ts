/**
 * A burst's digest: one top-level message ("N new candidates for <job>", counts per medium) posted
 * with the same claim protocol as a card, then the burst's cards in its thread, in applied-at order.
 */
import type { ObjectId } from 'mongodb';
import type { CandidateDoc } from '../../storage/types';
import type { Medium } from '../../vocabulary';
import { afterFailedPost, afterLease, countByMedium } from '../../domain/card-rules';
import { digestMessage } from '../../../views/candidate';
import { postToChannel } from './post-card';
import { clearChannelIssue, GO_ON, lease, settle, type Run, type Step } from './run';

/** Groups a burst into a digest: the digest doc first, then its cards (an orphan digest is harmless). */
export async function makeDigest(run: Run, cards: Pick<CandidateDoc, '_id' | 'medium'>[]): Promise<ObjectId> {
  const { deps, teamId, job } = run;
  const id = await deps.store.digests.create({
    teamId,
    jobId: job._id!,
    channel: job.channelId,
    count: cards.length,
    byMedium: countByMedium(cards),
  });
  const grouped = await deps.store.cards.group(
    teamId,
    cards.map((c) => c._id!),
    id,
  );
  if (grouped !== cards.length) {
    // some were taken meanwhile (posted by another run, moved): the digest counts what it holds
    const media = await deps.store.cards.mediaInDigest(teamId, id);
    await deps.store.digests.recount(id, media.length, countByMedium(media.map((medium) => ({ medium }))));
  }
  return id;
}

/** Makes sure a digest's parent message is posted: its ts, or the step the run takes instead. */
async function ensureDigestPosted(run: Run, digestId: ObjectId): Promise<{ ts?: string; step?: Step }> {
  const digests = run.deps.store.digests;
  const d = await digests.get(run.teamId, digestId);
  if (!d) return {};
  if (d.state === 'posted') return { ts: d.ts };
  if (d.state === 'posting') return { step: { stop: true, retryAt: d.leaseUntil ? afterLease(d.leaseUntil) : undefined } };
  const claimed = await digests.claim(digestId, run.job.channelId, lease(run));
  if (!claimed) return { step: GO_ON };
  const byMedium = (Object.entries(claimed.byMedium) as [Medium, number][]).map(([medium, n]) => ({ medium, n }));
  const msg = digestMessage(run.t, { id: String(digestId), job: run.job.name, count: claimed.count, byMedium });
  const res = await run.poster.post(run.job.channelId, msg, { onWait: () => digests.extendLease(digestId, lease(run)) });
  if (res.kind === 'ok') {
    await digests.posted(digestId, { ts: res.ts, channel: res.channel });
    await clearChannelIssue(run);
    return { ts: res.ts };
  }
  const next = afterFailedPost(res, new Date(), run.settings);
  if (next.claim !== 'keep') await digests.release(digestId);
  // the digest itself cannot be posted: its cards go top level instead
  if (next.claim === 'fail') await run.deps.store.cards.ungroup(run.teamId, digestId);
  return { step: await settle(run, next) };
}

/** The digest's message, then its pending cards in its thread (in applied-at order). */
export async function deliverDigest(run: Run, digestId: ObjectId): Promise<Step> {
  const { ts, step } = await ensureDigestPosted(run, digestId);
  if (step) return step;
  if (!ts) {
    await run.deps.store.cards.ungroup(run.teamId, digestId);
    return GO_ON;
  }
  for (const id of await run.deps.store.cards.pendingInDigest(run.teamId, digestId)) {
    const s = await postToChannel(run, id, ts);
    if (s.stop) return s;
    if (run.mode !== 'channel') break;
  }
  return GO_ON;
}
