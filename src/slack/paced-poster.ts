/**
 * chat.postMessage within Slack's limits, for messages that must never be posted twice (the
 * candidate cards, src/notifier/cards). Slack allows about one message per second per channel:
 * posts to one channel are spaced `intervalMs` apart (per team+channel, in this process; one card
 * poster runs per channel). A 429 is waited out here, exactly its Retry-After (capped at
 * `maxRetryAfterSec`), and the same message is tried again — a 429 means it was not posted. The
 * client (the gateway's postingClientFor) rejects rate-limited calls instead of queueing them and
 * never retries on its own: @slack/web-api would otherwise pause the workspace's whole request
 * queue on a 429 and add its own backoff (up to ~30 minutes), and silently retry a network error,
 * which for chat.postMessage (no idempotency key) can post twice. Such an unanswered post is
 * reported as `ambiguous`: the caller finds out later (the channel's history) whether it went out.
 */
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from 'pino';
import type { ChannelIssueReason } from '../vocabulary';

export interface PacingSettings {
  /** Minimum gap between two posts to one channel (Slack: ~1 message per second per channel). */
  intervalMs: number;
  /** Cap on one Retry-After wait. */
  maxRetryAfterSec: number;
}

export const DEFAULT_PACING: PacingSettings = { intervalMs: 1_000, maxRetryAfterSec: 120 };

export type PostResult =
  | { kind: 'ok'; channel: string; ts: string }
  /** The bot cannot post there: not a member, no such channel (or a private one it is not in), archived. */
  | { kind: 'channel_issue'; reason: ChannelIssueReason }
  /** No answer (network error, timeout): the message may or may not have been posted. */
  | { kind: 'ambiguous'; error: string }
  /** Slack refused the message itself (it was not posted). */
  | { kind: 'failed'; error: string };

export interface PostOptions {
  threadTs?: string;
  /** Called before each Retry-After wait (e.g. to extend the claim's lease). */
  onWait?: () => Promise<void>;
}

export interface TeamPoster {
  post(channel: string, msg: { text: string; blocks: KnownBlock[] }, opts?: PostOptions): Promise<PostResult>;
}

export interface PacedPosting {
  /** The workspace's poster, or null when the app is not installed there. */
  forTeam(teamId: string): Promise<TeamPoster | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** After this many 429s in a row the post is given up for now (not posted: a 429 is definite). */
const MAX_RATE_LIMITED = 50;

function errorCode(err: unknown): { code?: string; api?: string; retryAfter?: number } {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number };
  return { code: e?.code, api: e?.data?.error, retryAfter: e?.retryAfter };
}

/** Slack's error codes are snake_case words (`channel_not_found`); anything else is not an answer. */
export function isSlackErrorCode(api: string | undefined): api is string {
  return typeof api === 'string' && /^[a-z][a-z0-9_]{0,99}$/.test(api);
}

export function createPacedPosting(deps: {
  postingClientFor(teamId: string): Promise<WebClient | null>;
  logger: Pick<Logger, 'info' | 'warn'>;
  settings: PacingSettings;
}): PacedPosting {
  const { settings, logger } = deps;
  /** When each team+channel may get its next post. */
  const nextSlot = new Map<string, number>();

  async function pace(key: string) {
    const wait = (nextSlot.get(key) ?? 0) - Date.now();
    if (wait > 0) await sleep(wait);
    if (nextSlot.size > 10_000) for (const [k, at] of nextSlot) if (at < Date.now()) nextSlot.delete(k);
    nextSlot.set(key, Date.now() + settings.intervalMs);
  }

  async function post(
    client: WebClient,
    teamId: string,
    channel: string,
    msg: { text: string; blocks: KnownBlock[] },
    opts: PostOptions = {},
  ): Promise<PostResult> {
    const key = `${teamId}:${channel}`;
    for (let attempt = 0; ; attempt++) {
      await pace(key);
      try {
        const res = await client.chat.postMessage({
          channel,
          text: msg.text,
          blocks: msg.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
        });
        return { kind: 'ok', channel: res.channel ?? channel, ts: res.ts! };
      } catch (err) {
        const { code, api, retryAfter } = errorCode(err);
        if (code === ErrorCode.RateLimitedError || api === 'ratelimited' || api === 'rate_limited') {
          const sec = Math.min(Math.max(retryAfter ?? 1, 1), settings.maxRetryAfterSec);
          logger.info({ teamId, channel, retryAfter: sec }, 'chat.postMessage rate limited; waiting Retry-After');
          nextSlot.set(key, Date.now() + sec * 1000);
          await opts.onWait?.();
          if (attempt > MAX_RATE_LIMITED) return { kind: 'ambiguous', error: 'rate limited too long' };
          continue;
        }
        // A refusal is an answer Slack could be read from: {ok:false, error:<code>}. A body that did not parse
        // (@slack/web-api then reports the raw text as the "error") is no answer: it may have been posted.
        if (code === ErrorCode.PlatformError && isSlackErrorCode(api)) {
          if (api === 'not_in_channel' || api === 'channel_not_found' || api === 'is_archived')
            return { kind: 'channel_issue', reason: api };
          return { kind: 'failed', error: api };
        }
        // request/HTTP errors: the message may or may not have been posted
        logger.warn({ err, teamId, channel }, 'chat.postMessage failed without an answer');
        return { kind: 'ambiguous', error: code ?? 'unknown' };
      }
    }
  }

  return {
    async forTeam(teamId) {
      const client = await deps.postingClientFor(teamId);
      return client ? { post: (channel, msg, opts) => post(client, teamId, channel, msg, opts) } : null;
    },
  };
}
