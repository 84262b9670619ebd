/** The card delivery's pure decisions (src/domain/card-rules.ts). */
import { describe, expect, it } from 'vitest';
import { afterFailedPost, afterLease, countByMedium, isBurst, leaseEnd } from '../../src/domain/card-rules';

const now = new Date('2026-05-01T00:00:00Z');
const settings = { leaseMs: 120_000, retryLaterMs: 600_000 };
const at = (ms: number) => new Date(now.getTime() + ms);

describe('a burst', () => {
  it('is the threshold or more cards waiting for the channel at once', () => {
    expect(isBurst(9, 'channel', 10)).toBe(false);
    expect(isBurst(10, 'channel', 10)).toBe(true);
    expect(isBurst(150, 'channel', 10)).toBe(true);
  });

  it('never becomes a digest while the cards go by DM (archived channel)', () => {
    expect(isBurst(150, 'dm', 10)).toBe(false);
  });

  it('is counted per medium in the order the media first appear', () => {
    const counts = countByMedium([{ medium: 'green' }, { medium: 'wantedly' }, { medium: 'green' }, { medium: 'green' }]);
    expect(counts).toEqual({ green: 3, wantedly: 1 });
    expect(Object.keys(counts)).toEqual(['green', 'wantedly']);
    expect(countByMedium([])).toEqual({});
  });
});

describe('leases', () => {
  it('end leaseMs after the claim, and the run looks again a second after the end', () => {
    expect(leaseEnd(now, 2_000)).toEqual(at(2_000));
    expect(afterLease(at(2_000))).toEqual(at(3_000));
  });
});

describe('a post that did not go through', () => {
  it('without an answer: the claim stays, the run stops until the lease has ended (the history tells)', () => {
    expect(afterFailedPost({ kind: 'ambiguous' }, now, settings)).toEqual({ claim: 'keep', toDm: false, stop: true, retryAt: at(121_000) });
  });

  it('refused by Slack: that message is given up and the run goes on', () => {
    expect(afterFailedPost({ kind: 'failed' }, now, settings)).toEqual({ claim: 'fail', toDm: false, stop: false });
  });

  it('to an archived channel: released, recorded, and the run goes on by DM', () => {
    expect(afterFailedPost({ kind: 'channel_issue', reason: 'is_archived' }, now, settings)).toEqual({
      claim: 'release',
      channelIssue: 'is_archived',
      toDm: true,
      stop: false,
    });
  });

  it('to a channel the bot is not in, or that is gone: released, recorded, retried later', () => {
    for (const reason of ['not_in_channel', 'channel_not_found'] as const) {
      expect(afterFailedPost({ kind: 'channel_issue', reason }, now, settings)).toEqual({
        claim: 'release',
        channelIssue: reason,
        toDm: false,
        stop: true,
        retryAt: at(600_000),
      });
    }
  });
});
