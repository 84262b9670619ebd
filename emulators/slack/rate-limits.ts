// Slack Web API rate limits: per method, per app, per workspace, counted over a minute
// (Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min), plus chat.postMessage's
// special limit of ~1 message per second per channel with short bursts tolerated.
// Time comes from the injected clock so tests never sleep.

export type Tier = 1 | 2 | 3 | 4 | 'special';

export const TIER_PER_MINUTE: Record<1 | 2 | 3 | 4, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

/** Tiers per method (java-slack-sdk MethodsRateLimits; Slack method pages). */
export const METHOD_TIERS: Record<string, Tier> = {
  'auth.test': 'special',
  'chat.postMessage': 'special',
  'chat.postEphemeral': 4,
  'chat.update': 3,
  'chat.delete': 3,
  'chat.getPermalink': 'special',
  'chat.scheduleMessage': 3,
  'chat.deleteScheduledMessage': 3,
  'chat.meMessage': 3,
  'views.open': 4,
  'views.update': 4,
  'views.push': 4,
  'views.publish': 4,
  'conversations.open': 3,
  'conversations.info': 3,
  'conversations.join': 3,
  'conversations.leave': 3,
  'conversations.members': 4,
  'conversations.list': 2,
  'conversations.history': 3,
  'conversations.replies': 3,
  'conversations.create': 2,
  'conversations.invite': 3,
  'users.info': 4,
  'users.list': 2,
  'users.lookupByEmail': 3,
  'users.conversations': 3,
  'team.info': 3,
  'oauth.v2.access': 4,
  'reactions.add': 3,
  'reactions.remove': 3,
  'bots.info': 3,
  'apps.uninstall': 1,
  'auth.revoke': 3,
};

/** Limits per minute for the 'special' methods other than chat.postMessage. */
const SPECIAL_PER_MINUTE: Record<string, number> = {
  'auth.test': 600,
  'chat.getPermalink': 600,
};

export interface RateLimitDecision {
  limited: boolean;
  retryAfterSec: number;
}

export interface PostMessageLimitOptions {
  /** Messages a channel may take at once before the 1/s rate applies (Slack: "short bursts"). */
  burst: number;
  /** Sustained rate per channel, messages per second. */
  perSecond: number;
  /** Workspace-wide chat.postMessage cap per minute (Slack: "several hundred"). */
  workspacePerMinute: number;
}

export class RateLimiter {
  enabled = true;
  private windows = new Map<string, number[]>();
  private buckets = new Map<string, { tokens: number; at: number }>();
  readonly postMessage: PostMessageLimitOptions;

  constructor(
    private now: () => number,
    post?: Partial<PostMessageLimitOptions>,
  ) {
    this.postMessage = { burst: 5, perSecond: 1, workspacePerMinute: 300, ...post };
  }

  reset(): void {
    this.windows.clear();
    this.buckets.clear();
  }

  private windowCheck(key: string, perMinute: number): RateLimitDecision {
    const t = this.now();
    const arr = (this.windows.get(key) ?? []).filter((x) => x > t - 60_000);
    if (arr.length >= perMinute) {
      this.windows.set(key, arr);
      const retry = Math.max(1, Math.ceil((arr[0] + 60_000 - t) / 1000));
      return { limited: true, retryAfterSec: retry };
    }
    arr.push(t);
    this.windows.set(key, arr);
    return { limited: false, retryAfterSec: 0 };
  }

  /** Counts one call; returns whether it is over the limit. */
  check(method: string, teamId: string, channel?: string): RateLimitDecision {
    if (!this.enabled) return { limited: false, retryAfterSec: 0 };
    const tier = METHOD_TIERS[method] ?? 3;
    if (method === 'chat.postMessage') {
      if (channel) {
        const key = `${teamId}:${channel}`;
        const t = this.now();
        const { burst, perSecond } = this.postMessage;
        const b = this.buckets.get(key) ?? { tokens: burst, at: t };
        b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
        b.at = t;
        if (b.tokens < 1) {
          this.buckets.set(key, b);
          return { limited: true, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
        }
        const w = this.windowCheck(`${teamId}:chat.postMessage:*`, this.postMessage.workspacePerMinute);
        if (w.limited) return w;
        b.tokens -= 1;
        this.buckets.set(key, b);
        return { limited: false, retryAfterSec: 0 };
      }
      return this.windowCheck(`${teamId}:chat.postMessage:*`, this.postMessage.workspacePerMinute);
    }
    const perMinute = tier === 'special' ? (SPECIAL_PER_MINUTE[method] ?? 100) : TIER_PER_MINUTE[tier];
    return this.windowCheck(`${teamId}:${method}`, perMinute);
  }
}
