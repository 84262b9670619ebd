/**
 * The domain's way to Slack outside a request: a WebClient per workspace (single-workspace bot token
 * or the stored installation), and cached user facts (locale, admin, bot, guest) from users.info.
 * Plus, for the card poster (src/slack/paced-poster.ts), a posting client on the same token that
 * rejects rate-limited calls and never retries.
 */
import { WebClient, LogLevel, type Logger as SlackLogger, type WebClientOptions } from '@slack/web-api';
import type { Installation } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { SlackGateway } from '../domain/deps';
import type { Store } from '../storage/db';
import type { Keyring } from '../security/crypto';
import { toLocale, type Locale } from '../i18n';
import { installationAad } from '../security/aad';

interface UserFacts {
  locale: Locale;
  isAdmin: boolean;
  isBot: boolean;
  isGuest: boolean;
}
const USER_TTL_MS = 10 * 60_000;

export function slackClientOptions(config: Config): WebClientOptions {
  return { slackApiUrl: config.SLACK_API_URL };
}

/** @slack/web-api's own log lines, quietly into ours (its warnings are the retries we chose not to make). */
function webApiLogger(logger: Logger): SlackLogger {
  const l = logger.child({ component: 'card-poster' });
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

export interface AppSlackGateway extends SlackGateway {
  /**
   * A client on the workspace's token for chat.postMessage that must not post twice:
   * `rejectRateLimitedCalls: true` (a 429 is thrown with its Retry-After, for the caller to wait out,
   * instead of pausing the workspace's whole request queue and retrying with extra backoff) and
   * `retries: 0` (a network error is never silently retried: chat.postMessage has no idempotency key).
   */
  postingClientFor(teamId: string): Promise<WebClient | null>;
  /** Drops the clients built on a workspace's token (a reinstall may bring a new one). */
  forget(teamId: string): void;
}

export function createSlackGateway(config: Config, store: Store, keyring: Keyring, logger: Logger): AppSlackGateway {
  const clients = new Map<string, WebClient>();
  const postingClients = new Map<string, WebClient>();
  const users = new Map<string, { at: number; facts: UserFacts | null; pending?: Promise<UserFacts | null> }>();

  async function tokenFor(teamId: string): Promise<string | undefined> {
    if (config.slackMode === 'single' || (config.slackMode === 'sandbox' && config.SLACK_BOT_TOKEN)) return config.SLACK_BOT_TOKEN;
    const doc = await store.installations.findOne({ _id: teamId });
    return doc ? keyring.decryptJson<Installation>(doc.encrypted, installationAad(teamId)).bot?.token : undefined;
  }

  async function clientFor(teamId: string): Promise<WebClient | null> {
    const cached = clients.get(teamId);
    if (cached) return cached;
    const token = await tokenFor(teamId);
    if (!token) return null;
    // a time limit: a Slack that never answers must not hold a job (an import telling its result) forever
    const client = new WebClient(token, {
      ...slackClientOptions(config),
      teamId,
      timeout: 15_000,
      // a few quick retries, not @slack/web-api's default of ten over about half an hour
      retryConfig: { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 5_000 },
    });
    clients.set(teamId, client);
    return client;
  }

  async function postingClientFor(teamId: string): Promise<WebClient | null> {
    const cached = postingClients.get(teamId);
    if (cached) return cached;
    const token = (await clientFor(teamId))?.token;
    if (!token) return null;
    const client = new WebClient(token, {
      ...slackClientOptions(config),
      teamId,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: 15_000,
      logger: webApiLogger(logger),
    });
    postingClients.set(teamId, client);
    return client;
  }

  async function facts(teamId: string, userId: string): Promise<UserFacts | null> {
    const key = `${teamId}:${userId}`;
    const hit = users.get(key);
    if (hit && Date.now() - hit.at < USER_TTL_MS) return hit.pending ?? hit.facts;
    const pending = (async () => {
      const client = await clientFor(teamId);
      if (!client) return null;
      try {
        const res = await client.users.info({ user: userId, include_locale: true });
        const u = res.user;
        if (!u) return null;
        return {
          locale: toLocale(u.locale),
          isAdmin: Boolean(u.is_admin || u.is_owner || u.is_primary_owner),
          isBot: Boolean(u.is_bot || u.id === 'USLACKBOT'),
          isGuest: Boolean(u.is_restricted || u.is_ultra_restricted),
        };
      } catch {
        return null;
      }
    })();
    users.set(key, { at: Date.now(), facts: null, pending });
    const result = await pending;
    users.set(key, { at: result ? Date.now() : 0, facts: result });
    return result;
  }

  return {
    clientFor,
    postingClientFor,
    async localeOf(teamId, userId) {
      return (await facts(teamId, userId))?.locale ?? 'ja';
    },
    async userFacts(teamId, userId) {
      return facts(teamId, userId);
    },
    forget(teamId: string) {
      clients.delete(teamId);
      postingClients.delete(teamId);
    },
  };
}

/**
 * The workspace a bot token belongs to, as auth.test answers (single-workspace mode asks once, at
 * start-up). Fails when the token is refused.
 */
export async function teamOfToken(config: Config, token: string): Promise<{ teamId: string; botUserId?: string }> {
  const auth = await new WebClient(token, slackClientOptions(config)).auth.test();
  if (!auth.team_id) throw new Error('auth.test of SLACK_BOT_TOKEN answered no team_id');
  return { teamId: auth.team_id, botUserId: auth.user_id };
}
