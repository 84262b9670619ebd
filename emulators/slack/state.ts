// In-memory Slack: workspaces, users, channels, tokens, messages, views, triggers, response URLs.
import { randomBytes } from 'node:crypto';

export type Json = Record<string, any>;

export interface Team {
  id: string;
  name: string;
  domain: string;
  homeTabEnabled: boolean;
}

export interface User {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  locale: string;
  tz: string;
  tzOffset: number;
  email?: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  isRestricted: boolean;
  deleted: boolean;
  botId?: string;
}

export interface Channel {
  id: string;
  teamId: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  isIm: boolean;
  /** Slack Connect: shared with another organization (is_ext_shared). */
  extShared?: boolean;
  /** For DMs: the human on the other side. */
  imUser?: string;
  members: Set<string>;
  created: number;
  topic?: string;
  purpose?: string;
}

export interface TokenInfo {
  token: string;
  teamId: string;
  kind: 'bot' | 'user';
  /** Bot user id for bot tokens, the installing user for user tokens. */
  userId: string;
  botId?: string;
  scopes: string[];
  revoked: boolean;
}

export interface StoredMessage {
  teamId: string;
  channel: string;
  ts: string;
  text?: string;
  blocks?: Json[];
  attachments?: Json[];
  metadata?: Json;
  threadTs?: string;
  replyBroadcast?: boolean;
  /** Author: the bot user id for app messages, or a human (sendMessage/seeded). */
  user: string;
  botId?: string;
  appId?: string;
  /** Ephemeral: only this user sees it. */
  ephemeralTo?: string;
  /** How the app produced it. */
  via: 'chat.postMessage' | 'chat.postEphemeral' | 'response_url' | 'ack' | 'seed';
  edited?: { ts: string; count: number };
  deleted: boolean;
  /** Earlier versions (chat.update / replace_original), oldest first. */
  history: { text?: string; blocks?: Json[]; at: number }[];
  at: number;
}

export interface StoredView {
  id: string;
  teamId: string;
  userId: string;
  type: 'modal' | 'home';
  /** The view as the app sent it (title, blocks, callback_id, ...). */
  view: Json;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  externalId: string;
  appId: string;
  botId: string;
  /** What the user typed/selected so far: state.values shape. */
  values: Record<string, Record<string, Json>>;
  /** response_action:"errors" shown on this view, per input block id. */
  errors?: Record<string, string>;
  closed: boolean;
  openedAt: number;
  updatedAt: number;
}

export interface Trigger {
  id: string;
  teamId: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

export interface ResponseUrlPost {
  responseUrlId: string;
  body: Json | string;
  status: number;
  at: number;
  /** The message it created/replaced, if any. */
  message?: StoredMessage;
  action?: 'posted' | 'replaced' | 'deleted' | 'rejected';
  error?: string;
}

export interface ResponseUrl {
  id: string;
  url: string;
  teamId: string;
  userId: string;
  channelId: string;
  kind: 'command' | 'message_action' | 'view_submission';
  /** The message an action came from (for replace_original / delete_original). */
  original?: { channel: string; ts: string };
  createdAt: number;
  uses: number;
  posts: ResponseUrlPost[];
}

export interface CallRecord {
  method: string;
  args: Json;
  token?: string;
  teamId?: string;
  status: number;
  response: Json;
  at: number;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export function randomId(prefix: string, len = 10): string {
  const bytes = randomBytes(len);
  let s = prefix;
  for (let i = 0; i < len; i++) s += ID_CHARS[bytes[i] % ID_CHARS.length];
  return s;
}

export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

export class SlackState {
  teams = new Map<string, Team>();
  users = new Map<string, User>();
  channels = new Map<string, Channel>();
  tokens = new Map<string, TokenInfo>();
  /** teamId → bot user id of our app in that workspace. */
  botUsers = new Map<string, { userId: string; botId: string }>();
  messages: StoredMessage[] = [];
  views = new Map<string, StoredView>();
  /** `${teamId}:${userId}` → modal stack (view ids, bottom first). */
  modalStacks = new Map<string, string[]>();
  /** `${teamId}:${userId}` → home view id. */
  homes = new Map<string, string>();
  triggers = new Map<string, Trigger>();
  responseUrls = new Map<string, ResponseUrl>();
  calls: CallRecord[] = [];
  private lastTsMicros = 0;

  constructor(
    readonly now: () => number,
    readonly appId: string,
  ) {}

  /** Slack-like message ts: "<unix seconds>.<6 digits>", unique and increasing. */
  nextTs(): string {
    let micros = Math.floor(this.now()) * 1000;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 100;
    this.lastTsMicros = micros;
    const sec = Math.floor(micros / 1_000_000);
    const frac = String(micros % 1_000_000).padStart(6, '0');
    return `${sec}.${frac}`;
  }

  key(teamId: string, userId: string): string {
    return `${teamId}:${userId}`;
  }

  team(teamId: string): Team {
    const t = this.teams.get(teamId);
    if (!t) throw new Error(`slack emulator: unknown team ${teamId} (call addTeam first)`);
    return t;
  }

  userIn(teamId: string, userId: string): User | undefined {
    const u = this.users.get(userId);
    return u && u.teamId === teamId ? u : undefined;
  }

  channelIn(teamId: string, channelId: string): Channel | undefined {
    const c = this.channels.get(channelId);
    if (c && c.teamId === teamId) return c;
    if (channelId.startsWith('#')) {
      const name = channelId.slice(1);
      for (const ch of this.channels.values()) if (ch.teamId === teamId && ch.name === name && !ch.isIm) return ch;
    }
    return undefined;
  }

  bot(teamId: string): { userId: string; botId: string } {
    let b = this.botUsers.get(teamId);
    if (!b) {
      const userId = randomId('U');
      const botId = randomId('B');
      b = { userId, botId };
      this.botUsers.set(teamId, b);
      this.users.set(userId, {
        id: userId,
        teamId,
        name: 'hire-relay',
        realName: 'hire-relay',
        locale: 'en-US',
        tz: 'America/Los_Angeles',
        tzOffset: -28800,
        isAdmin: false,
        isOwner: false,
        isBot: true,
        isRestricted: false,
        deleted: false,
        botId,
      });
    }
    return b;
  }

  /** The app's DM with a user (created on first use, like conversations.open). */
  imWith(teamId: string, userId: string): Channel {
    for (const c of this.channels.values()) if (c.teamId === teamId && c.isIm && c.imUser === userId) return c;
    const bot = this.bot(teamId);
    const ch: Channel = {
      id: randomId('D'),
      teamId,
      name: userId,
      isPrivate: true,
      isArchived: false,
      isIm: true,
      imUser: userId,
      members: new Set([bot.userId, userId]),
      created: Math.floor(this.now() / 1000),
    };
    this.channels.set(ch.id, ch);
    return ch;
  }

  findIm(teamId: string, userId: string): Channel | undefined {
    for (const c of this.channels.values()) if (c.teamId === teamId && c.isIm && c.imUser === userId) return c;
    return undefined;
  }

  issueTrigger(teamId: string, userId: string): string {
    const id = `${Math.floor(this.now() / 1000)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}.${Math.floor(Math.random() * 1e12)}.${randomHex(32)}`;
    this.triggers.set(id, { id, teamId, userId, issuedAt: this.now(), used: false });
    return id;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
  }

  modalStack(teamId: string, userId: string): string[] {
    const k = this.key(teamId, userId);
    let s = this.modalStacks.get(k);
    if (!s) {
      s = [];
      this.modalStacks.set(k, s);
    }
    return s;
  }

  newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomId('', 8).toLowerCase()}`;
  }

  /** The `view` object as Slack returns it (views.* responses, payloads). */
  viewPayload(v: StoredView): Json {
    const src = v.view;
    return {
      id: v.id,
      team_id: v.teamId,
      type: v.type,
      blocks: src.blocks ?? [],
      private_metadata: src.private_metadata ?? '',
      callback_id: src.callback_id ?? '',
      state: { values: v.values },
      hash: v.hash,
      title: src.title ?? (v.type === 'home' ? { type: 'plain_text', text: 'View Title', emoji: true } : undefined),
      clear_on_close: src.clear_on_close ?? false,
      notify_on_close: src.notify_on_close ?? false,
      close: src.close ?? null,
      submit: src.submit ?? null,
      previous_view_id: v.previousViewId,
      root_view_id: v.rootViewId,
      app_id: v.appId,
      external_id: v.externalId,
      app_installed_team_id: v.teamId,
      bot_id: v.botId,
    };
  }
}
