/**
 * Crash recovery: a card or digest left in 'posting' past its lease (a crash, or a post whose
 * answer was lost) is looked up in the channel's history by its block id before it is posted
 * again — found: posted with that ts; not found: pending again; the history unreadable (Slack did
 * not answer, or not readably): left as it is, looked up again by a later run. Not knowing is no
 * reason to post it twice.
 */
import { cardBlockId, digestBlockId } from '../../../views/candidate';
import type { Run } from './run';

/** How far before the claim the history is read (clock skew between us and Slack). */
const HISTORY_MARGIN_SEC = 120;

/** The ts of the message with this block id, null when there is none, 'unknown' when Slack did not say. */
async function findPosted(
  run: Run,
  channel: string,
  blockId: string,
  since: Date | undefined,
  threadTs?: string,
): Promise<string | null | 'unknown'> {
  try {
    const oldest = since ? String(Math.floor(since.getTime() / 1000) - HISTORY_MARGIN_SEC) : undefined;
    const res = threadTs
      ? await run.client.conversations.replies({ channel, ts: threadTs, limit: 1000 })
      : await run.client.conversations.history({ channel, limit: 200, ...(oldest ? { oldest } : {}) });
    const hit = (res.messages ?? []).find((m) => (m.blocks ?? []).some((b) => (b as { block_id?: string }).block_id === blockId));
    return hit?.ts ?? null;
  } catch (err) {
    run.deps.logger.warn(
      { err, teamId: run.teamId, channel },
      'could not check the channel history for an unconfirmed card; it will be checked again',
    );
    return 'unknown';
  }
}

const found = (ts: string | null | 'unknown'): ts is string => typeof ts === 'string' && ts !== 'unknown';

/** Cards and digests of the run's job stuck in 'posting' past their lease: posted after all, or pending again. */
export async function recoverStale(run: Run): Promise<void> {
  const { deps, teamId, job } = run;
  const { cards, digests } = deps.store;
  const now = new Date();
  for (const d of await digests.stale(teamId, job._id!, now)) {
    const ts = await findPosted(run, d.channel, digestBlockId(String(d._id)), d.claimedAt);
    if (ts === 'unknown') continue;
    if (found(ts)) await digests.recoverPosted(d._id!, now, ts);
    else await digests.recoverPending(d._id!, now);
  }
  for (const c of await cards.stale(teamId, job._id!, now)) {
    const card = c.card!;
    let ts: string | null | 'unknown' = null;
    let threadTs: string | undefined;
    if (card.via !== 'dm' && card.channel) {
      if (card.digestId) threadTs = (await digests.get(teamId, card.digestId))?.ts;
      ts = await findPosted(run, card.channel, cardBlockId(String(c._id)), card.claimedAt, threadTs);
    }
    if (ts === 'unknown') continue;
    if (found(ts)) await cards.recoverPosted(c._id!, now, { ts, threadTs });
    else await cards.recoverPending(c._id!, now);
  }
}
