/** One card: claimed, rendered, posted to the channel (top level or a digest's thread) or by DM. */
import type { ObjectId } from 'mongodb';
import { afterFailedPost, afterLease } from '../../domain/card-rules';
import { cardAudience } from '../../domain/cards';
import { clearChannelIssue, GO_ON, lease, renderCard, settle, type Run, type Step } from './run';

/** Posts one card to the job's channel, in the thread of `threadTs` when given. */
export async function postToChannel(run: Run, id: ObjectId, threadTs?: string): Promise<Step> {
  const cards = run.deps.store.cards;
  const channel = run.job.channelId;
  const c = await cards.claim(run.teamId, run.job._id!, id, channel, lease(run));
  if (!c) return GO_ON;
  const msg = await renderCard(run, c);
  const res = await run.poster.post(channel, msg, { threadTs, onWait: () => cards.extendLease(id, lease(run)) });
  if (res.kind === 'ok') {
    await cards.posted(id, { channel: res.channel, ts: res.ts, threadTs, via: 'channel' });
    run.posted++;
    await clearChannelIssue(run);
    return GO_ON;
  }
  const next = afterFailedPost(res, new Date(), run.settings);
  if (res.kind === 'failed') {
    run.deps.logger.error({ teamId: run.teamId, candidateId: String(id), error: res.error }, 'a card could not be posted');
    await cards.fail(id, res.error);
  } else if (next.claim === 'release') {
    await cards.release(id);
  }
  return settle(run, next);
}

/** Archived channel: the card goes by DM to each of the job's admins; each copy is recorded at once. */
export async function postByDm(run: Run, id: ObjectId): Promise<Step> {
  const { deps, teamId } = run;
  const cards = deps.store.cards;
  const c = await cards.claim(teamId, run.job._id!, id, run.job.channelId, lease(run));
  if (!c) return GO_ON;
  const msg = await renderCard(run, c);
  const done = new Set((c.card?.copies ?? []).map((x) => x.channel));
  for (const userId of await cardAudience(deps, run.job)) {
    let dm: string | undefined;
    try {
      dm = (await run.client.conversations.open({ users: userId })).channel?.id;
    } catch (err) {
      deps.logger.warn({ err, teamId, userId }, 'could not open a DM for a card');
    }
    if (!dm || done.has(dm)) continue;
    const res = await run.poster.post(dm, msg, { onWait: () => cards.extendLease(id, lease(run)) });
    if (res.kind === 'ok') {
      await cards.addCopy(id, { channel: res.channel, ts: res.ts });
      done.add(dm);
    } else if (res.kind === 'ambiguous') {
      return { stop: true, retryAt: afterLease(lease(run)) };
    }
  }
  const [first] = await cards.copies(id);
  if (!first) {
    await cards.release(id);
    return { stop: true, retryAt: new Date(Date.now() + run.settings.retryLaterMs) };
  }
  await cards.posted(id, { channel: first.channel, ts: first.ts, via: 'dm' });
  run.posted++;
  return GO_ON;
}
