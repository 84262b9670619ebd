/**
 * The domain's way to Slack outside a request: a WebClient per workspace (single-workspace bot token
 * or the stored installation), and user facts (locale, admin, bot, guest) from the user directory
 * (src/slack/user-directory.ts), which reads them ahead of requests and never on a request's path.
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
import type { Locale } from '../i18n';
import { installationAad } from '../security/aad';
import { createUserDirectory, type DirectorySettings, type UserDirectory } from './user-directory';

const ORG_LANGUAGE_TTL_MS = 30_000;

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
  /** People's Slack facts, read ahead (users.list after an install, users.info paced). */
  directory: UserDirectory;
}

export function createSlackGateway(
  config: Config,
  store: Store,
  keyring: Keyring,
  logger: Logger,
  directorySettings: Partial<DirectorySettings> = {},
): AppSlackGateway {
  const clients = new Map<string, WebClient>();
  const postingClients = new Map<string, WebClient>();
  const orgLanguages = new Map<string, { at: number; locale: Promise<Locale> }>();

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

  const directory = createUserDirectory(
    // the directory paces itself and waits out each 429: a client that rejects it at once, never retries
    { store, logger: logger.child({ component: 'user-directory' }), lookupClientFor: postingClientFor },
    directorySettings,
  );

  /** The org's language (settings.language; Japanese by default), for people not known yet. */
  function orgLanguage(teamId: string): Promise<Locale> {
    const hit = orgLanguages.get(teamId);
    if (hit && Date.now() - hit.at < ORG_LANGUAGE_TTL_MS) return hit.locale;
    const locale = store.orgs
      .findOne({ _id: teamId }, { projection: { 'settings.language': 1 } })
      .then((org) => org?.settings?.language ?? 'ja')
      .catch(() => 'ja' as const);
    orgLanguages.set(teamId, { at: Date.now(), locale });
    return locale;
  }

  return {
    clientFor,
    postingClientFor,
    directory,
    async localeOf(teamId, userId) {
      const known = await directory.get(teamId, userId).catch(() => 'unknown' as const);
      return known && known !== 'unknown' ? known.locale : orgLanguage(teamId);
    },
    async userFacts(teamId, userId, opts = {}) {
      const known = await (opts.waitMs ? directory.wait(teamId, userId, opts.waitMs) : directory.get(teamId, userId));
      // a deactivated account keeps its facts: the domain refuses it everything (src/domain/members.ts)
      return known;
    },
    refreshUser(teamId, userId) {
      directory.refresh(teamId, userId);
    },
    forget(teamId: string) {
      clients.delete(teamId);
      postingClients.delete(teamId);
      orgLanguages.delete(teamId);
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
