/**
 * The domain's way to Slack outside a request: a WebClient per workspace (single-workspace bot token
 * or the stored installation), and cached user facts (locale, admin, bot, guest) from users.info.
 */
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Installation } from '@slack/bolt';
import type { Config } from '../config';
import type { SlackGateway } from '../domain/deps';
import type { Store } from '../storage/db';
import type { Keyring } from '../security/crypto';
import { toLocale, type Locale } from '../i18n';
import { installationAad } from '../security/aad';

interface UserFacts { locale: Locale; isAdmin: boolean; isBot: boolean; isGuest: boolean }
const USER_TTL_MS = 10 * 60_000;

export function slackClientOptions(config: Config): WebClientOptions {
  return { slackApiUrl: config.SLACK_API_URL };
}

export function createSlackGateway(config: Config, store: Store, keyring: Keyring): SlackGateway & { forget(teamId: string): void } {
  const clients = new Map<string, WebClient>();
  const users = new Map<string, { at: number; facts: UserFacts | null; pending?: Promise<UserFacts | null> }>();

  async function clientFor(teamId: string): Promise<WebClient | null> {
    const cached = clients.get(teamId);
    if (cached) return cached;
    let token: string | undefined;
    if (config.slackMode === 'single' || (config.slackMode === 'sandbox' && config.SLACK_BOT_TOKEN)) {
      token = config.SLACK_BOT_TOKEN;
    } else {
      const doc = await store.installations.findOne({ _id: teamId });
      if (doc) token = keyring.decryptJson<Installation>(doc.encrypted, installationAad(teamId)).bot?.token;
    }
    if (!token) return null;
    const client = new WebClient(token, { ...slackClientOptions(config), teamId });
    clients.set(teamId, client);
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
    async localeOf(teamId, userId) {
      return (await facts(teamId, userId))?.locale ?? 'ja';
    },
    async userFacts(teamId, userId) {
      return facts(teamId, userId);
    },
    forget(teamId: string) {
      clients.delete(teamId);
    },
  };
}
