// A local Slack for end-to-end tests and the sandbox: Web API at /api/<method>, response_url
// endpoints, OAuth v2 authorize, signed requests to the app (slash commands, interactivity,
// events, options), and an HTML viewer at "/". Facts: https://api.slack.com/web and https://api.slack.com/interactivity.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIMITS, validateMessageBlocks, validateView } from './blockkit-limits';
import { RateLimiter, type PostMessageLimitOptions } from './rate-limits';
import {
  randomHex,
  randomId,
  SlackState,
  type CallRecord,
  type Channel,
  type Json,
  type ResponseUrl,
  type ResponseUrlPost,
  type StoredMessage,
  type StoredView,
  type TokenInfo,
  type User,
} from './state';
import { DEFAULT_BOT_SCOPES, fillBlockIds, initialElementValue, WebApi, type ApiContext, type OAuthCode } from './web-api';
import { renderViewer } from './viewer';
import { rememberBody, reportWhenAnswered, type ReceivedRequest } from '../media-console/http';
import { ChaosSwitch, type ChaosKind, type ChaosOptions } from '../chaos';

export { validateMessageBlocks, validateView, LIMITS } from './blockkit-limits';
export { DEFAULT_BOT_SCOPES } from './web-api';
export type { ReceivedRequest } from '../media-console/http';
export type { CallRecord, StoredMessage, StoredView, ResponseUrlPost, Json } from './state';

// ---- public types ------------------------------------------------------------------------

export interface SlackEmulatorOptions {
  /** 0 = any free port; binds 127.0.0.1. */
  port?: number;
  host?: string;
  /** Signs what the emulator sends to the app. */
  signingSecret: string;
  /** The app's POST /slack/events URL (or later: setAppRequestUrl). */
  appRequestUrl?: string;
  /** ms clock for rate limits, trigger and code expiry, message ts (default Date.now). */
  now?: () => number;
  /** Default true. */
  rateLimits?: boolean;
  /** chat.postMessage per-channel limit tuning (default burst 5, 1/s, 300/min per workspace). */
  postMessageLimits?: Partial<PostMessageLimitOptions>;
  oauth?: { clientId: string; clientSecret: string; redirectUri?: string };
  /** Our app's id (A…). */
  appId?: string;
  /** The deprecated verification token put in payloads. */
  verificationToken?: string;
  /** Real-time ms the app has to answer (Slack: 3000). */
  ackTimeoutMs?: number;
  /** Retry failed event deliveries like Slack (3 retries, X-Slack-Retry-Num/Reason). Default false. */
  retries?: boolean;
  /** Clock for X-Slack-Request-Timestamp (default Date.now: the app checks it against its real clock). */
  requestClock?: () => number;
  /** ms a trigger_id is valid (default 3000, by `now`). */
  triggerTtlMs?: number;
  /** Called with every HTTP request the emulator received, once it has answered it (a wire record). */
  onRequest?: (r: ReceivedRequest) => void;
  /** A seeded random fault plan over the Web API (emulators/chaos.ts); also setChaos / control `setChaos`. */
  chaos?: ChaosOptions;
}

export interface AddTeamInput {
  id: string;
  name: string;
  domain?: string;
  homeTabEnabled?: boolean;
}
export interface AddUserInput {
  teamId: string;
  id: string;
  name: string;
  realName?: string;
  locale?: 'ja-JP' | 'en-US' | string;
  email?: string;
  tz?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  isBot?: boolean;
  isRestricted?: boolean;
  deleted?: boolean;
}
export interface AddChannelInput {
  teamId: string;
  id: string;
  name: string;
  isPrivate?: boolean;
  isArchived?: boolean;
  members?: string[];
  /** Slack Connect: the channel is shared with another organization. */
  extShared?: boolean;
}

export interface SentRequest {
  kind: 'command' | 'interaction' | 'event' | 'options' | 'url_verification';
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface AppResponse {
  /** HTTP status, 'timeout' (no answer within ackTimeoutMs) or 'error' (connection failed). */
  status: number | 'timeout' | 'error';
  /** Raw response body ('' when none). */
  body: string;
  /** Parsed body when it was JSON. */
  json?: any;
  headers: Record<string, string>;
  /** Slack-side failure the user would see (operation_timeout, dispatch_failed, ...). */
  error?: string;
  request: SentRequest;
  /** Event deliveries: every attempt when retrying. */
  attempts?: AppResponse[];
}

export interface SlashResult extends AppResponse {
  triggerId: string;
  responseUrl: string;
  channelId: string;
  /** What the app posted to this command's response_url so far. */
  responses(): ResponseUrlPost[];
}

export interface ClickInput {
  teamId?: string;
  userId: string;
  actionId: string;
  blockId?: string;
  value?: string;
  viewId?: string;
  message?: { channel: string; ts: string };
  selectedOption?: string | Json;
  selectedOptions?: (string | Json)[];
  selectedUser?: string;
  selectedUsers?: string[];
  selectedChannel?: string;
  selectedConversation?: string;
  selectedDate?: string;
  selectedTime?: string;
  /** Input values typed into the view before clicking (same shape as submitView values). */
  values?: SubmitValues;
  /** Extra fields merged into the action object. */
  action?: Json;
}

export interface ActionResult extends AppResponse {
  triggerId: string;
  responseUrl?: string;
  responses(): ResponseUrlPost[];
}

export type SubmitValues = Record<string, Record<string, unknown>>;

export interface SubmitResult extends AppResponse {
  responseAction?: 'errors' | 'update' | 'push' | 'clear' | 'close';
  errors?: Record<string, string>;
  /** The user's top modal after Slack applied the reply (undefined when closed). */
  view?: Json;
  /** Why Slack would show "We had some trouble connecting" (bad ack, invalid view...). */
  problem?: string;
  triggerId: string;
}

export interface OptionsResult extends AppResponse {
  options?: any[];
  optionGroups?: any[];
  problem?: string;
}

export interface RawOverrides {
  /** New X-Slack-Request-Timestamp (seconds). Re-signs unless keepSignature. */
  timestamp?: number;
  keepSignature?: boolean;
  signature?: string;
  body?: string;
  headers?: Record<string, string>;
  omitHeaders?: string[];
  retryNum?: number;
  retryReason?: string;
}

export interface AuthorizeResult {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The redirect the emulator sent the browser to (app redirect_uri?code&state). */
  redirectedTo?: string;
  code?: string;
  error?: string;
}

// ---- implementation ----------------------------------------------------------------------

function flatHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      rememberBody(req, text);
      resolve(text);
    });
    req.on('error', reject);
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface FoundElement {
  block: Json;
  element: Json;
}

function findElement(blocks: Json[] | undefined, actionId: string, blockId?: string): FoundElement | undefined {
  for (const b of blocks ?? []) {
    if (blockId && b.block_id !== blockId) continue;
    const els: Json[] = [];
    if (b.element) els.push(b.element);
    if (b.accessory) els.push(b.accessory);
    if (Array.isArray(b.elements)) els.push(...b.elements);
    for (const el of els) if (el && el.action_id === actionId) return { block: b, element: el };
  }
  return undefined;
}

function allOptions(el: Json): Json[] {
  if (Array.isArray(el.options)) return el.options;
  if (Array.isArray(el.option_groups)) return el.option_groups.flatMap((g: Json) => g.options ?? []);
  return [];
}

function pickOption(el: Json, v: string | Json, where: string): Json {
  if (typeof v === 'object') return v;
  const found = allOptions(el).find((o) => o.value === v);
  if (found) return { text: found.text, value: found.value, ...(found.description ? { description: found.description } : {}) };
  if (el.type === 'external_select' || el.type === 'multi_external_select') {
    return { text: { type: 'plain_text', text: v, emoji: true }, value: v };
  }
  throw new Error(`slack emulator: option "${v}" is not one of the options of ${where}`);
}

/** A value typed/selected by a user, shaped like Slack's state.values entry for that element. */
function stateValue(el: Json, raw: unknown, where: string): Json {
  const type = el.type as string;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Json;
    const known = [
      'value',
      'selected_option',
      'selected_options',
      'selected_user',
      'selected_users',
      'selected_conversation',
      'selected_conversations',
      'selected_channel',
      'selected_channels',
      'selected_date',
      'selected_time',
      'selected_date_time',
      'rich_text_value',
      'files',
    ];
    if (Object.keys(obj).some((k) => known.includes(k))) return { type, ...obj };
  }
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: raw === null || raw === undefined ? null : String(raw) };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: raw === null ? null : pickOption(el, raw as string | Json, where) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: (Array.isArray(raw) ? raw : [raw]).map((x) => pickOption(el, x as string | Json, where)) };
    case 'users_select':
      return { type, selected_user: raw ?? null };
    case 'multi_users_select':
      return { type, selected_users: Array.isArray(raw) ? raw : [raw] };
    case 'conversations_select':
      return { type, selected_conversation: raw ?? null };
    case 'multi_conversations_select':
      return { type, selected_conversations: Array.isArray(raw) ? raw : [raw] };
    case 'channels_select':
      return { type, selected_channel: raw ?? null };
    case 'multi_channels_select':
      return { type, selected_channels: Array.isArray(raw) ? raw : [raw] };
    case 'datepicker':
      return { type, selected_date: raw ?? null };
    case 'timepicker':
      return { type, selected_time: raw ?? null };
    case 'datetimepicker':
      return { type, selected_date_time: raw === null || raw === undefined ? null : Number(raw) };
    case 'rich_text_input':
      return {
        type,
        rich_text_value:
          typeof raw === 'string'
            ? { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: raw }] }] }
            : raw,
      };
    default:
      return { type, value: raw };
  }
}

const STATE_KEYS = [
  'value',
  'selected_option',
  'selected_options',
  'selected_user',
  'selected_users',
  'selected_conversation',
  'selected_conversations',
  'selected_channel',
  'selected_channels',
  'selected_date',
  'selected_time',
  'selected_date_time',
];

function isEmptyState(v: Json): boolean {
  for (const [k, x] of Object.entries(v)) {
    if (k === 'type') continue;
    if (x === null || x === undefined || x === '') return true;
    if (Array.isArray(x) && x.length === 0) return true;
    return false;
  }
  return true;
}

export class SlackEmulator {
  readonly state: SlackState;
  readonly api: WebApi;
  readonly limiter: RateLimiter;
  url = '';
  apiUrl = '';
  appRequestUrl?: string;
  readonly appId: string;
  readonly verificationToken: string;
  private server: Server;
  private now: () => number;
  private requestClock: () => number;
  private ackTimeoutMs: number;
  private retriesEnabled: boolean;
  private sent: SentRequest[] = [];
  private interactions: { kind: string; at: number; request: SentRequest; response: AppResponse }[] = [];
  private oauthCodes = new Map<string, OAuthCode>();
  private forcedRateLimits = new Map<string, { times: number; retryAfterSec: number }>();
  private forcedErrors = new Map<string, { error: string; times: number }>();
  private chaos = new ChaosSwitch();
  private waiters = new Set<() => void>();

  constructor(private opts: SlackEmulatorOptions) {
    this.now = opts.now ?? Date.now;
    this.requestClock = opts.requestClock ?? Date.now;
    this.appId = opts.appId ?? 'A0EMULATOR1';
    this.verificationToken = opts.verificationToken ?? randomHex(24);
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
    this.retriesEnabled = opts.retries ?? false;
    this.appRequestUrl = opts.appRequestUrl;
    this.state = new SlackState(this.now, this.appId);
    this.limiter = new RateLimiter(this.now, opts.postMessageLimits);
    this.limiter.enabled = opts.rateLimits ?? true;
    if (opts.chaos) this.chaos.set(opts.chaos);
    const ctx: ApiContext = {
      state: this.state,
      limiter: this.limiter,
      now: this.now,
      oauth: opts.oauth,
      oauthCodes: this.oauthCodes,
      forcedRateLimits: this.forcedRateLimits,
      forcedErrors: this.forcedErrors,
      issueBotToken: (teamId, scopes) => {
        // Reinstalling keeps the workspace's bot token; scopes add up across installs
        const existing = [...this.state.tokens.values()].find((t) => t.teamId === teamId && t.kind === 'bot' && !t.revoked);
        if (existing) {
          existing.scopes = [...new Set([...existing.scopes, ...scopes])];
          return existing;
        }
        return this.tokenInfo(this.issueBotToken(teamId, { scopes }));
      },
      issueUserToken: (teamId, userId, scopes) => this.tokenInfo(this.issueUserToken(teamId, userId, scopes)),
      triggerTtlMs: opts.triggerTtlMs ?? 3000,
      codeTtlMs: 10 * 60_000,
    };
    this.api = new WebApi(ctx);
    this.server = createServer((req, res) => {
      reportWhenAnswered(req, res, opts.onRequest);
      this.route(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`slack emulator error: ${(e as Error).message}`);
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.url = `http://${this.opts.host ?? '127.0.0.1'}:${addr.port}`;
    this.apiUrl = `${this.url}/api/`;
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** URL to give Bolt's installerOptions.authorizationUrl. */
  get authorizeUrl(): string {
    return `${this.url}/oauth/v2/authorize`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections?.();
    });
  }

  setAppRequestUrl(url: string): void {
    this.appRequestUrl = url;
  }

  /** The app's configured OAuth redirect URL (used when the authorize request has no redirect_uri). */
  setOAuthRedirectUri(url: string): void {
    if (!this.opts.oauth) throw new Error('slack emulator: no oauth options given');
    this.opts.oauth.redirectUri = url;
  }

  // ---- workspace state ------------------------------------------------------------------

  addTeam(t: AddTeamInput): this {
    this.state.teams.set(t.id, {
      id: t.id,
      name: t.name,
      domain: t.domain ?? t.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      homeTabEnabled: t.homeTabEnabled ?? true,
    });
    return this;
  }

  addUser(u: AddUserInput): this {
    this.state.team(u.teamId);
    const locale = u.locale ?? 'en-US';
    const tz = u.tz ?? (locale === 'ja-JP' ? 'Asia/Tokyo' : 'America/Los_Angeles');
    const user: User = {
      id: u.id,
      teamId: u.teamId,
      name: u.name,
      realName: u.realName ?? u.name,
      locale,
      tz,
      tzOffset: tz === 'Asia/Tokyo' ? 32400 : tz === 'UTC' ? 0 : -28800,
      email: u.email ?? `${u.name}@example.com`,
      isAdmin: u.isAdmin ?? false,
      isOwner: u.isOwner ?? false,
      isBot: u.isBot ?? false,
      isRestricted: u.isRestricted ?? false,
      deleted: u.deleted ?? false,
    };
    this.state.users.set(u.id, user);
    return this;
  }

  /** Deactivate a user: their tokens answer account_inactive, DMs to them is_inactive. */
  deactivateUser(userId: string): void {
    const u = this.state.users.get(userId);
    if (u) u.deleted = true;
  }

  addChannel(c: AddChannelInput): this {
    this.state.team(c.teamId);
    this.state.channels.set(c.id, {
      id: c.id,
      teamId: c.teamId,
      name: c.name,
      isPrivate: c.isPrivate ?? false,
      isArchived: c.isArchived ?? false,
      isIm: false,
      members: new Set(c.members ?? []),
      created: Math.floor(this.now() / 1000),
      extShared: c.extShared ?? false,
    });
    return this;
  }

  archiveChannel(id: string): void {
    const c = this.state.channels.get(id);
    if (!c) throw new Error(`slack emulator: unknown channel ${id}`);
    c.isArchived = true;
  }

  /** Add members (users or the bot user id) to a channel. */
  joinChannel(channelId: string, ...userIds: string[]): void {
    const c = this.state.channels.get(channelId);
    if (!c) throw new Error(`slack emulator: unknown channel ${channelId}`);
    for (const u of userIds) c.members.add(u);
  }

  /** The app's bot user in a workspace (created on first use). */
  botUser(teamId: string): { userId: string; botId: string } {
    this.state.team(teamId);
    return this.state.bot(teamId);
  }

  /** The DM channel (D…) between the app and a user (created if needed). */
  dmChannel(teamId: string, userId: string): string {
    return this.state.imWith(teamId, userId).id;
  }

  issueBotToken(teamId: string, o: { botUserId?: string; scopes?: string[] } = {}): string {
    this.state.team(teamId);
    if (o.botUserId) {
      const existing = this.state.botUsers.get(teamId);
      if (!existing || existing.userId !== o.botUserId) {
        const botId = existing?.botId ?? randomId('B');
        if (existing) this.state.users.delete(existing.userId);
        this.state.botUsers.set(teamId, { userId: o.botUserId, botId });
        this.state.users.set(o.botUserId, {
          id: o.botUserId,
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
    }
    const bot = this.state.bot(teamId);
    const token = `xoxb-${teamId.slice(1).toLowerCase()}-${randomHex(12)}-${randomBytes(18).toString('base64url')}`;
    this.state.tokens.set(token, {
      token,
      teamId,
      kind: 'bot',
      userId: bot.userId,
      botId: bot.botId,
      scopes: [...(o.scopes ?? DEFAULT_BOT_SCOPES)],
      revoked: false,
    });
    return token;
  }

  issueUserToken(teamId: string, userId: string, scopes: string[] = []): string {
    this.state.team(teamId);
    const token = `xoxp-${teamId.slice(1).toLowerCase()}-${randomHex(12)}-${randomBytes(18).toString('base64url')}`;
    this.state.tokens.set(token, { token, teamId, kind: 'user', userId, scopes: [...scopes], revoked: false });
    return token;
  }

  private tokenInfo(token: string): TokenInfo {
    return this.state.tokens.get(token)!;
  }

  revokeToken(token: string): void {
    const t = this.state.tokens.get(token);
    if (t) t.revoked = true;
  }

  /** Uninstall the app from a workspace: every token revoked; sends tokens_revoked + app_uninstalled. */
  async uninstall(teamId: string, o: { notify?: boolean } = {}): Promise<AppResponse[]> {
    const bots: string[] = [];
    const users: string[] = [];
    for (const t of this.state.tokens.values()) {
      if (t.teamId !== teamId || t.revoked) continue;
      t.revoked = true;
      (t.kind === 'bot' ? bots : users).push(t.userId);
    }
    if (o.notify === false || !this.appRequestUrl) return [];
    const out: AppResponse[] = [];
    out.push(
      await this.sendEvent({ teamId, event: { type: 'tokens_revoked', tokens: { oauth: [...new Set(users)], bot: [...new Set(bots)] } } }),
    );
    out.push(await this.sendEvent({ teamId, event: { type: 'app_uninstalled' } }));
    return out;
  }

  // ---- faults and limits ----------------------------------------------------------------

  setRateLimits(enabled: boolean): void {
    this.limiter.enabled = enabled;
  }

  /** The next `times` calls of `method` answer 429 with Retry-After (regardless of setRateLimits). */
  injectRateLimit(method: string, o: { times?: number; retryAfterSec?: number } = {}): void {
    this.forcedRateLimits.set(method, { times: o.times ?? 1, retryAfterSec: o.retryAfterSec ?? 1 });
  }

  /**
   * A seeded random fault plan over the Web API (5xx, 429, hangs, resets, garbage, truncated or lost
   * answers; emulators/chaos.ts), or null to stop. `paths` are Web API paths (`/api/chat.postMessage`).
   */
  setChaos(opts: ChaosOptions | null): void {
    this.chaos.set(opts);
  }

  /** How many requests each fault kind hit since the plan was set (null: no plan). */
  chaosCounts(): Record<ChaosKind, number> | null {
    return this.chaos.counts();
  }

  /** The next `times` calls of `method` answer {ok:false,error}. */
  failNext(method: string, error: string, times = 1): void {
    this.forcedErrors.set(method, { error, times });
  }

  // ---- recording ------------------------------------------------------------------------

  calls(method?: string): CallRecord[] {
    return method ? this.state.calls.filter((c) => c.method === method) : [...this.state.calls];
  }

  lastCall(method: string): CallRecord | undefined {
    const all = this.calls(method);
    return all[all.length - 1];
  }

  /** Messages the app posted/updated (not deleted unless includeDeleted), oldest first. */
  messages(
    f: { channel?: string; teamId?: string; threadTs?: string; includeDeleted?: boolean; ephemeral?: boolean } = {},
  ): StoredMessage[] {
    return this.state.messages.filter(
      (m) =>
        (f.channel === undefined || m.channel === f.channel) &&
        (f.teamId === undefined || m.teamId === f.teamId) &&
        (f.threadTs === undefined || m.threadTs === f.threadTs) &&
        (f.includeDeleted || !m.deleted) &&
        (f.ephemeral === undefined || Boolean(m.ephemeralTo) === f.ephemeral),
    );
  }

  /** The user's modal stack (bottom first), as Slack's view objects. */
  openViews(userId: string, teamId?: string): Json[] {
    const team = teamId ?? this.state.users.get(userId)?.teamId;
    if (!team) return [];
    return this.state.modalStack(team, userId).map((id) => this.viewJson(this.state.views.get(id)!));
  }

  /** The top modal of a user. */
  topView(userId: string, teamId?: string): Json | undefined {
    const all = this.openViews(userId, teamId);
    return all[all.length - 1];
  }

  homeView(userId: string, teamId?: string): Json | undefined {
    const team = teamId ?? this.state.users.get(userId)?.teamId;
    if (!team) return undefined;
    const id = this.state.homes.get(this.state.key(team, userId));
    return id ? this.viewJson(this.state.views.get(id)!) : undefined;
  }

  view(viewId: string): Json | undefined {
    const v = this.state.views.get(viewId);
    return v ? this.viewJson(v) : undefined;
  }

  private viewJson(v: StoredView): Json {
    return structuredClone({ ...this.state.viewPayload(v), ...(v.errors ? { errors: v.errors } : {}), closed: v.closed });
  }

  /** All response_url posts (optionally of one response URL id). */
  responses(responseUrlId?: string): ResponseUrlPost[] {
    const all = [...this.state.responseUrls.values()].flatMap((r) => r.posts);
    return (responseUrlId ? all.filter((p) => p.responseUrlId === responseUrlId) : all).sort((a, b) => a.at - b.at);
  }

  sentRequests(): SentRequest[] {
    return [...this.sent];
  }

  lastSentRequest(): SentRequest | undefined {
    return this.sent[this.sent.length - 1];
  }

  /** Clears calls, messages, views, triggers, response URLs and rate-limit counters; keeps workspaces and tokens. */
  reset(): void {
    this.state.calls.length = 0;
    this.state.messages.length = 0;
    this.state.views.clear();
    this.state.modalStacks.clear();
    this.state.homes.clear();
    this.state.triggers.clear();
    this.state.responseUrls.clear();
    this.sent.length = 0;
    this.interactions.length = 0;
    this.forcedErrors.clear();
    this.forcedRateLimits.clear();
    this.limiter.reset();
  }

  /** Resolves once predicate() is truthy (checked on every API call / response_url post and every 20 ms). */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        let v: T | undefined | null | false;
        try {
          v = predicate();
        } catch {
          v = undefined;
        }
        if (v) {
          cleanup();
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`slack emulator: waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(check, 20);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(listener);
      };
      const listener = () => {
        check();
      };
      this.waiters.add(listener);
      check();
    });
  }

  /** Resolves with the first recorded call of `method` matching `match` (use reset() to forget earlier calls). */
  waitForCall(method: string, match: (c: CallRecord) => boolean = () => true, timeoutMs = 5000): Promise<CallRecord> {
    return this.waitFor(() => this.calls(method).find(match), timeoutMs);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- signing and sending --------------------------------------------------------------

  sign(body: string, ts: number): string {
    return `v0=${createHmac('sha256', this.opts.signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
  }

  private build(kind: SentRequest['kind'], body: string, contentType: string, extra: Record<string, string> = {}): SentRequest {
    if (!this.appRequestUrl) throw new Error('slack emulator: no appRequestUrl (setAppRequestUrl first)');
    const ts = Math.floor(this.requestClock() / 1000);
    return {
      kind,
      url: this.appRequestUrl,
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': this.sign(body, ts),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        accept: 'application/json,*/*',
        ...extra,
      },
      body,
      at: this.now(),
    };
  }

  private async deliver(req: SentRequest): Promise<AppResponse> {
    this.sent.push(req);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.ackTimeoutMs);
    try {
      const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: ac.signal, redirect: 'manual' });
      const text = await res.text();
      let json: any;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: res.status, body: text, json, headers: flatHeaders(res.headers), request: req };
    } catch (e) {
      if (ac.signal.aborted) return { status: 'timeout', body: '', headers: {}, error: 'operation_timeout', request: req };
      return { status: 'error', body: '', headers: {}, error: `connection_failed: ${(e as Error).message}`, request: req };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Send a previously built request again, optionally changing headers (security / retry tests). */
  async raw(req: SentRequest, o: RawOverrides = {}): Promise<AppResponse> {
    const body = o.body ?? req.body;
    const headers: Record<string, string> = { ...req.headers };
    if (o.timestamp !== undefined) headers['x-slack-request-timestamp'] = String(o.timestamp);
    if (!o.keepSignature && (o.timestamp !== undefined || o.body !== undefined)) {
      headers['x-slack-signature'] = this.sign(body, Number(headers['x-slack-request-timestamp']));
    }
    if (o.signature !== undefined) headers['x-slack-signature'] = o.signature;
    if (o.retryNum !== undefined) headers['x-slack-retry-num'] = String(o.retryNum);
    if (o.retryReason !== undefined) headers['x-slack-retry-reason'] = o.retryReason;
    Object.assign(headers, o.headers ?? {});
    for (const h of o.omitHeaders ?? []) delete headers[h.toLowerCase()];
    return this.deliver({ ...req, headers, body, at: this.now() });
  }

  private teamOf(userId: string, teamId?: string): string {
    const t = teamId ?? this.state.users.get(userId)?.teamId;
    if (!t) throw new Error(`slack emulator: unknown user ${userId}`);
    this.state.team(t);
    const u = this.state.userIn(t, userId);
    if (!u) throw new Error(`slack emulator: user ${userId} is not in team ${t}`);
    return t;
  }

  private userPayload(teamId: string, userId: string): Json {
    const u = this.state.users.get(userId)!;
    return { id: u.id, username: u.name, name: u.name, team_id: teamId };
  }

  private teamPayload(teamId: string): Json {
    const t = this.state.team(teamId);
    return { id: t.id, domain: t.domain };
  }

  private newResponseUrl(
    teamId: string,
    userId: string,
    channelId: string,
    kind: ResponseUrl['kind'],
    original?: { channel: string; ts: string },
  ): ResponseUrl {
    const id = `${teamId}/${Math.floor(Math.random() * 1e12)}/${randomBytes(12).toString('base64url')}`;
    const ru: ResponseUrl = {
      id,
      url: `${this.url}/response/${id}`,
      teamId,
      userId,
      channelId,
      kind,
      original,
      createdAt: this.now(),
      uses: 0,
      posts: [],
    };
    this.state.responseUrls.set(id, ru);
    return ru;
  }

  // ---- slash commands -------------------------------------------------------------------

  async slash(i: { teamId?: string; userId: string; channelId?: string; command?: string; text?: string }): Promise<SlashResult> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const team = this.state.team(teamId);
    const user = this.state.users.get(i.userId)!;
    let channel: Channel;
    if (i.channelId) {
      const c = this.state.channelIn(teamId, i.channelId);
      if (!c) throw new Error(`slack emulator: channel ${i.channelId} not in team ${teamId}`);
      if (!c.members.has(i.userId)) {
        throw new Error(
          `slack emulator: ${i.userId} is not a member of ${i.channelId}; a user types commands only where they are a member (joinChannel first)`,
        );
      }
      if (c.isArchived) throw new Error(`slack emulator: channel ${i.channelId} is archived`);
      channel = c;
    } else {
      channel = this.state.imWith(teamId, i.userId);
    }
    const triggerId = this.state.issueTrigger(teamId, i.userId);
    const ru = this.newResponseUrl(teamId, i.userId, channel.id, 'command');
    const fields: Record<string, string> = {
      token: this.verificationToken,
      team_id: teamId,
      team_domain: team.domain,
      channel_id: channel.id,
      channel_name: channel.isIm ? 'directmessage' : channel.name,
      user_id: i.userId,
      user_name: user.name,
      command: i.command ?? '/ats',
      text: i.text ?? '',
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: ru.url,
      trigger_id: triggerId,
    };
    const req = this.build('command', new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
    const res = await this.deliver(req);
    if (res.status === 200 && res.body) {
      // Slack shows a non-empty ack body as a message (ephemeral unless response_type in_channel)
      const msg: Json = res.json && typeof res.json === 'object' ? res.json : { text: res.body };
      const r = this.postFromHook(ru, msg, 'ack');
      if (r.error) res.error = r.error;
    } else if (res.status !== 200 && !res.error) {
      res.error = typeof res.status === 'number' ? `http_error_${res.status}` : res.error;
    }
    this.interactions.push({ kind: 'command', at: this.now(), request: req, response: res });
    const out: SlashResult = {
      ...res,
      triggerId,
      responseUrl: ru.url,
      channelId: channel.id,
      responses: () => this.responses(ru.id),
    };
    this.notify();
    return out;
  }

  // ---- block_actions --------------------------------------------------------------------

  async clickButton(i: ClickInput): Promise<ActionResult> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const base: Json = {
      type: 'block_actions',
      user: this.userPayload(teamId, i.userId),
      api_app_id: this.appId,
      token: this.verificationToken,
    };
    let found: FoundElement | undefined;
    let ru: ResponseUrl | undefined;
    let stored: StoredView | undefined;
    let payload: Json;
    const triggerId = this.state.issueTrigger(teamId, i.userId);
    if (i.message) {
      const m = this.state.findMessage(i.message.channel, i.message.ts);
      if (!m || m.teamId !== teamId) throw new Error(`slack emulator: no message ${i.message.channel}/${i.message.ts} in ${teamId}`);
      if (m.ephemeralTo && m.ephemeralTo !== i.userId)
        throw new Error('slack emulator: that ephemeral message is not visible to this user');
      found = findElement(m.blocks, i.actionId, i.blockId);
      if (!found) throw new Error(`slack emulator: no element with action_id ${i.actionId} in message ${m.ts}`);
      const c = this.state.channels.get(m.channel)!;
      ru = this.newResponseUrl(teamId, i.userId, c.id, 'message_action', { channel: c.id, ts: m.ts });
      payload = {
        ...base,
        container: { type: 'message', message_ts: m.ts, channel_id: c.id, is_ephemeral: Boolean(m.ephemeralTo) },
        trigger_id: triggerId,
        team: this.teamPayload(teamId),
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: c.id, name: c.isIm ? 'directmessage' : c.name },
        ...(m.ephemeralTo ? {} : { message: this.api.messageObject(m) }),
        state: { values: this.messageState(m, i) },
        response_url: ru.url,
        actions: [],
      };
    } else {
      const viewId = i.viewId ?? this.currentViewId(teamId, i.userId);
      stored = viewId ? this.state.views.get(viewId) : undefined;
      if (!stored || stored.closed || stored.userId !== i.userId)
        throw new Error(`slack emulator: no open view ${viewId ?? ''} for ${i.userId}`);
      if (i.values) this.applyValues(stored, i.values);
      found = findElement(stored.view.blocks, i.actionId, i.blockId);
      if (!found) throw new Error(`slack emulator: no element with action_id ${i.actionId} in view ${stored.id}`);
      payload = {
        ...base,
        container: { type: 'view', view_id: stored.id },
        trigger_id: triggerId,
        team: this.teamPayload(teamId),
        enterprise: null,
        is_enterprise_install: false,
        view: this.state.viewPayload(stored),
        actions: [],
      };
    }
    const action = this.actionObject(found, i);
    payload.actions = [action];
    if (!['button', 'overflow', 'workflow_button'].includes(found.element.type)) {
      // a stateful element (select, datepicker, dispatching input...): its value is in state.values too
      const entry: Json = { type: action.type };
      for (const k of STATE_KEYS) if (k in action) entry[k] = action[k];
      const b = action.block_id as string;
      const a = action.action_id as string;
      if (stored) {
        (stored.values[b] ??= {})[a] = entry;
        payload.view = this.state.viewPayload(stored);
      } else {
        ((payload.state.values as Json)[b] ??= {})[a] = entry;
      }
    }
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const req = this.build('interaction', body, 'application/x-www-form-urlencoded');
    const res = await this.deliver(req);
    if (res.status !== 200 && !res.error) res.error = `http_error_${res.status}`;
    this.interactions.push({ kind: 'block_actions', at: this.now(), request: req, response: res });
    this.notify();
    return { ...res, triggerId, responseUrl: ru?.url, responses: () => (ru ? this.responses(ru.id) : []) };
  }

  private messageState(m: StoredMessage, i: ClickInput): Record<string, Record<string, Json>> {
    const out: Record<string, Record<string, Json>> = {};
    for (const b of m.blocks ?? []) {
      const els: Json[] = [];
      if (b.element) els.push(b.element);
      if (b.accessory) els.push(b.accessory);
      if (Array.isArray(b.elements) && b.type === 'actions') els.push(...b.elements);
      for (const el of els) {
        const v = initialElementValue(el);
        if (v && b.block_id && el.action_id) (out[b.block_id] ??= {})[el.action_id] = v;
      }
    }
    if (i.values) {
      for (const [bid, acts] of Object.entries(i.values)) {
        for (const [aid, raw] of Object.entries(acts)) {
          const f = findElement(m.blocks, aid, bid);
          if (!f) throw new Error(`slack emulator: no element ${bid}/${aid} in message`);
          (out[bid] ??= {})[aid] = stateValue(f.element, raw, `${bid}/${aid}`);
        }
      }
    }
    return out;
  }

  private actionObject(f: FoundElement, i: ClickInput): Json {
    const el = f.element;
    const a: Json = {
      type: el.type,
      action_id: el.action_id,
      block_id: f.block.block_id,
      action_ts: `${(this.now() / 1000).toFixed(6)}`,
    };
    const where = `${f.block.block_id}/${el.action_id}`;
    switch (el.type) {
      case 'button':
        a.text = el.text;
        if (el.value !== undefined || i.value !== undefined) a.value = i.value ?? el.value;
        if (el.style) a.style = el.style;
        if (el.url) a.url = el.url;
        break;
      case 'static_select':
      case 'external_select':
      case 'overflow':
      case 'radio_buttons': {
        const sel = i.selectedOption ?? i.value;
        if (sel === undefined) throw new Error(`slack emulator: ${where} needs selectedOption`);
        a.selected_option = pickOption(el, sel, where);
        if (el.placeholder && el.type !== 'overflow' && el.type !== 'radio_buttons') a.placeholder = el.placeholder;
        break;
      }
      case 'multi_static_select':
      case 'multi_external_select':
      case 'checkboxes':
        a.selected_options = (i.selectedOptions ?? (i.selectedOption ? [i.selectedOption] : [])).map((o) => pickOption(el, o, where));
        break;
      case 'users_select':
        a.selected_user = i.selectedUser ?? i.value ?? null;
        break;
      case 'multi_users_select':
        a.selected_users = i.selectedUsers ?? (i.selectedUser ? [i.selectedUser] : []);
        break;
      case 'conversations_select':
        a.selected_conversation = i.selectedConversation ?? i.selectedChannel ?? i.value ?? null;
        break;
      case 'channels_select':
        a.selected_channel = i.selectedChannel ?? i.value ?? null;
        break;
      case 'datepicker':
        a.selected_date = i.selectedDate ?? i.value ?? null;
        break;
      case 'timepicker':
        a.selected_time = i.selectedTime ?? i.value ?? null;
        break;
      case 'plain_text_input':
        a.value = i.value ?? null;
        break;
      default:
        if (i.value !== undefined) a.value = i.value;
    }
    return { ...a, ...(i.action ?? {}) };
  }

  private currentViewId(teamId: string, userId: string): string | undefined {
    const stack = this.state.modalStack(teamId, userId);
    if (stack.length) return stack[stack.length - 1];
    return this.state.homes.get(this.state.key(teamId, userId));
  }

  private applyValues(v: StoredView, values: SubmitValues): void {
    for (const [bid, acts] of Object.entries(values)) {
      for (const [aid, raw] of Object.entries(acts)) {
        const f = findElement(v.view.blocks, aid, bid);
        if (!f) throw new Error(`slack emulator: view ${v.id} has no element ${bid}/${aid}`);
        (v.values[bid] ??= {})[aid] = stateValue(f.element, raw, `${bid}/${aid}`);
      }
    }
  }

  // ---- view_submission / view_closed ----------------------------------------------------

  async submitView(i: { teamId?: string; userId: string; viewId?: string; values?: SubmitValues }): Promise<SubmitResult> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const stack = this.state.modalStack(teamId, i.userId);
    const viewId = i.viewId ?? stack[stack.length - 1];
    const v = viewId ? this.state.views.get(viewId) : undefined;
    if (!v || v.closed || v.type !== 'modal' || v.userId !== i.userId)
      throw new Error(`slack emulator: no open modal ${viewId ?? ''} for ${i.userId}`);
    if (stack[stack.length - 1] !== v.id)
      throw new Error(`slack emulator: view ${v.id} is not the top of the stack; only the visible view can be submitted`);
    if (!v.view.submit) throw new Error(`slack emulator: view ${v.id} has no submit button`);
    if (i.values) this.applyValues(v, i.values);
    // Slack's client refuses to send a submission with an empty required input or a too short/long text
    for (const b of v.view.blocks ?? []) {
      if (b.type !== 'input' || !b.element) continue;
      const st = v.values[b.block_id]?.[b.element.action_id];
      if (!b.optional && (!st || isEmptyState(st))) {
        throw new Error(`slack emulator: required input ${b.block_id} is empty; Slack would not submit (pass values or mark optional)`);
      }
      const val = st?.value;
      if (typeof val === 'string' && b.element.type === 'plain_text_input') {
        if (b.element.max_length && val.length > b.element.max_length)
          throw new Error(`slack emulator: ${b.block_id} longer than max_length; Slack would not submit`);
        if (b.element.min_length && val.length < b.element.min_length && val.length > 0)
          throw new Error(`slack emulator: ${b.block_id} shorter than min_length; Slack would not submit`);
      }
    }
    const triggerId = this.state.issueTrigger(teamId, i.userId);
    const payload: Json = {
      type: 'view_submission',
      team: this.teamPayload(teamId),
      user: this.userPayload(teamId, i.userId),
      api_app_id: this.appId,
      token: this.verificationToken,
      trigger_id: triggerId,
      view: this.state.viewPayload(v),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const req = this.build('interaction', `payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
    const res = await this.deliver(req);
    const out: SubmitResult = { ...res, triggerId };
    if (res.status !== 200) {
      out.problem = res.error ?? `http_error_${res.status}`;
    } else if (!res.body.trim()) {
      out.responseAction = 'close';
      this.popView(teamId, i.userId);
    } else if (!res.json || typeof res.json !== 'object') {
      out.problem = 'ack body is not JSON';
    } else {
      const ra = res.json.response_action as string | undefined;
      if (ra === 'errors') {
        out.responseAction = 'errors';
        const errors = res.json.errors as Record<string, string> | undefined;
        const inputIds = new Set((v.view.blocks ?? []).filter((b: Json) => b.type === 'input').map((b: Json) => b.block_id));
        if (!errors || typeof errors !== 'object' || Object.keys(errors).some((k) => !inputIds.has(k))) {
          out.problem = 'response_action errors must name input block_ids of the submitted view';
        } else {
          v.errors = errors;
          out.errors = errors;
        }
      } else if (ra === 'update' || ra === 'push') {
        out.responseAction = ra;
        const r = validateView(res.json.view, 'modal');
        if (!r.ok || r.tooLarge) {
          out.problem = `invalid view in response_action ${ra}: ${r.tooLarge ? 'view_too_large' : r.messages.join('; ')}`;
        } else if (ra === 'update') {
          this.api.replaceView(v, res.json.view);
        } else if (stack.length >= 3) {
          out.problem = 'push_limit_reached';
        } else {
          const nv = this.api.createView(teamId, i.userId, res.json.view, v.id, v.rootViewId);
          stack.push(nv.id);
        }
      } else if (ra === 'clear') {
        out.responseAction = 'clear';
        this.clearViews(teamId, i.userId);
      } else {
        out.problem = `unknown response_action ${String(ra)}`;
      }
    }
    out.view = this.topView(i.userId, teamId);
    this.interactions.push({ kind: 'view_submission', at: this.now(), request: req, response: res });
    this.notify();
    return out;
  }

  private popView(teamId: string, userId: string): void {
    const stack = this.state.modalStack(teamId, userId);
    const id = stack.pop();
    if (id) this.state.views.get(id)!.closed = true;
  }

  private clearViews(teamId: string, userId: string): void {
    const stack = this.state.modalStack(teamId, userId);
    for (const id of stack) this.state.views.get(id)!.closed = true;
    stack.length = 0;
  }

  /** The user presses Close (or X with clear: true). Sends view_closed when notify_on_close. */
  async closeView(i: { teamId?: string; userId: string; viewId?: string; clear?: boolean }): Promise<AppResponse | undefined> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const stack = this.state.modalStack(teamId, i.userId);
    const viewId = i.viewId ?? stack[stack.length - 1];
    const v = viewId ? this.state.views.get(viewId) : undefined;
    if (!v || v.closed) throw new Error(`slack emulator: no open modal ${viewId ?? ''}`);
    const payloadView = this.state.viewPayload(v);
    const clear = i.clear || Boolean(v.view.clear_on_close);
    if (clear) this.clearViews(teamId, i.userId);
    else this.popView(teamId, i.userId);
    if (!v.view.notify_on_close) return undefined;
    const payload: Json = {
      type: 'view_closed',
      team: this.teamPayload(teamId),
      user: this.userPayload(teamId, i.userId),
      api_app_id: this.appId,
      token: this.verificationToken,
      view: payloadView,
      is_cleared: clear,
      is_enterprise_install: false,
      enterprise: null,
    };
    const req = this.build('interaction', `payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
    const res = await this.deliver(req);
    this.interactions.push({ kind: 'view_closed', at: this.now(), request: req, response: res });
    this.notify();
    return res;
  }

  // ---- block_suggestion -----------------------------------------------------------------

  async options(i: {
    teamId?: string;
    userId: string;
    actionId: string;
    blockId?: string;
    value: string;
    viewId?: string;
    message?: { channel: string; ts: string };
  }): Promise<OptionsResult> {
    const teamId = this.teamOf(i.userId, i.teamId);
    let blocks: Json[] | undefined;
    const payload: Json = {
      type: 'block_suggestion',
      user: this.userPayload(teamId, i.userId),
      team: this.teamPayload(teamId),
      api_app_id: this.appId,
      token: this.verificationToken,
      value: i.value,
      enterprise: null,
      is_enterprise_install: false,
    };
    if (i.message) {
      const m = this.state.findMessage(i.message.channel, i.message.ts);
      if (!m) throw new Error('slack emulator: no such message');
      blocks = m.blocks;
      payload.container = { type: 'message', message_ts: m.ts, channel_id: m.channel, is_ephemeral: Boolean(m.ephemeralTo) };
      payload.channel = { id: m.channel, name: this.state.channels.get(m.channel)?.name };
      payload.message = this.api.messageObject(m);
    } else {
      const viewId = i.viewId ?? this.currentViewId(teamId, i.userId);
      const v = viewId ? this.state.views.get(viewId) : undefined;
      if (!v || v.closed) throw new Error('slack emulator: no open view');
      blocks = v.view.blocks;
      payload.container = { type: 'view', view_id: v.id };
      payload.view = this.state.viewPayload(v);
    }
    const f = findElement(blocks, i.actionId, i.blockId);
    if (!f) throw new Error(`slack emulator: no element ${i.actionId}`);
    if (f.element.type !== 'external_select' && f.element.type !== 'multi_external_select') {
      throw new Error(`slack emulator: ${i.actionId} is ${f.element.type}, not an external select`);
    }
    const minLen = typeof f.element.min_query_length === 'number' ? f.element.min_query_length : 3;
    if (i.value.length < minLen) {
      throw new Error(`slack emulator: Slack sends block_suggestion only after ${minLen} typed characters (min_query_length)`);
    }
    payload.action_id = i.actionId;
    payload.block_id = f.block.block_id;
    const req = this.build('options', `payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
    const res = await this.deliver(req);
    const out: OptionsResult = { ...res };
    if (res.status === 200 && res.json) {
      out.options = res.json.options;
      out.optionGroups = res.json.option_groups;
      const n = (out.options ?? out.optionGroups ?? []).length;
      if (n > LIMITS.selectOptions) out.problem = `more than ${LIMITS.selectOptions} options`;
      for (const o of out.options ?? []) {
        if (o?.text?.type !== 'plain_text') out.problem = 'option text must be plain_text';
        else if (String(o.text.text).length > LIMITS.optionText) out.problem = `option text longer than ${LIMITS.optionText}`;
      }
    } else {
      out.problem = res.error ?? `http_error_${res.status}`;
    }
    this.interactions.push({ kind: 'block_suggestion', at: this.now(), request: req, response: res });
    return out;
  }

  // ---- events ---------------------------------------------------------------------------

  /** Sends an event_callback. event_id is stable across retries. */
  async sendEvent(i: { teamId: string; event: Json; eventId?: string; retries?: boolean }): Promise<AppResponse> {
    this.state.team(i.teamId);
    const bot = this.state.bot(i.teamId);
    const eventTs = (this.now() / 1000).toFixed(6);
    const envelope: Json = {
      token: this.verificationToken,
      team_id: i.teamId,
      context_team_id: i.teamId,
      context_enterprise_id: null,
      api_app_id: this.appId,
      event: { ...i.event, event_ts: i.event.event_ts ?? eventTs },
      type: 'event_callback',
      event_id: i.eventId ?? randomId('Ev', 10),
      event_time: Math.floor(this.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: i.teamId, user_id: bot.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(24).toString('base64url')}`,
    };
    const req = this.build('event', JSON.stringify(envelope), 'application/json');
    const retry = i.retries ?? this.retriesEnabled;
    const attempts: AppResponse[] = [];
    let res = await this.deliver(req);
    attempts.push(res);
    for (let n = 1; retry && n <= 3; n++) {
      const ok = typeof res.status === 'number' && res.status >= 200 && res.status < 300;
      if (ok) break;
      if (res.status !== 'timeout' && res.headers['x-slack-no-retry'] === '1') break;
      const reason = res.status === 'timeout' ? 'http_timeout' : res.status === 'error' ? 'connection_failed' : 'http_error';
      res = await this.raw(req, { timestamp: Math.floor(this.requestClock() / 1000), retryNum: n, retryReason: reason });
      attempts.push(res);
    }
    res = { ...res, attempts };
    this.interactions.push({ kind: 'event', at: this.now(), request: req, response: res });
    this.notify();
    return res;
  }

  /** The user opens the app's Home tab (app_home_opened with the current Home view, if any). */
  openHome(i: { teamId?: string; userId: string; tab?: 'home' | 'messages' }): Promise<AppResponse> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const dm = this.state.imWith(teamId, i.userId);
    const homeId = this.state.homes.get(this.state.key(teamId, i.userId));
    const home = homeId ? this.state.views.get(homeId) : undefined;
    return this.sendEvent({
      teamId,
      event: {
        type: 'app_home_opened',
        user: i.userId,
        channel: dm.id,
        tab: i.tab ?? 'home',
        ...(home && (i.tab ?? 'home') === 'home' ? { view: this.state.viewPayload(home) } : {}),
      },
    });
  }

  /** A user joins a channel (member_joined_channel). */
  memberJoined(i: { teamId?: string; userId: string; channelId: string; inviter?: string }): Promise<AppResponse> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const c = this.state.channelIn(teamId, i.channelId);
    if (!c) throw new Error(`slack emulator: unknown channel ${i.channelId}`);
    c.members.add(i.userId);
    return this.sendEvent({
      teamId,
      event: {
        type: 'member_joined_channel',
        user: i.userId,
        channel: c.id,
        channel_type: c.isPrivate ? 'G' : 'C',
        team: teamId,
        ...(i.inviter ? { inviter: i.inviter } : {}),
      },
    });
  }

  /** A user writes a message (message event + stored in the channel). */
  userMessage(i: { teamId?: string; userId: string; channelId: string; text: string; threadTs?: string }): Promise<AppResponse> {
    const teamId = this.teamOf(i.userId, i.teamId);
    const c = this.state.channelIn(teamId, i.channelId);
    if (!c) throw new Error(`slack emulator: unknown channel ${i.channelId}`);
    const ts = this.state.nextTs();
    this.state.messages.push({
      teamId,
      channel: c.id,
      ts,
      text: i.text,
      threadTs: i.threadTs,
      user: i.userId,
      via: 'seed',
      deleted: false,
      history: [],
      at: this.now(),
    });
    return this.sendEvent({
      teamId,
      event: {
        type: 'message',
        user: i.userId,
        text: i.text,
        ts,
        channel: c.id,
        team: teamId,
        channel_type: c.isIm ? 'im' : c.isPrivate ? 'group' : 'channel',
        ...(i.threadTs ? { thread_ts: i.threadTs } : {}),
      },
    });
  }

  /** Slack's Request URL check: answers true when the app echoes the challenge. */
  async urlVerification(): Promise<{ ok: boolean; response: AppResponse }> {
    const challenge = randomBytes(24).toString('base64url');
    const req = this.build(
      'url_verification',
      JSON.stringify({ token: this.verificationToken, challenge, type: 'url_verification' }),
      'application/json',
    );
    const res = await this.deliver(req);
    const ok = res.status === 200 && (res.body === challenge || res.json?.challenge === challenge || res.body === `challenge=${challenge}`);
    return { ok, response: res };
  }

  // ---- response_url ---------------------------------------------------------------------

  /** Apply a message posted to a response_url (or a slash-command ack body). */
  private postFromHook(ru: ResponseUrl, msg: Json, via: 'response_url' | 'ack'): { status: number; error?: string; post: ResponseUrlPost } {
    const post: ResponseUrlPost = { responseUrlId: ru.id, body: msg, status: 200, at: this.now() };
    const fail = (status: number, error: string) => {
      post.status = status;
      post.error = error;
      post.action = 'rejected';
      if (via === 'response_url') ru.posts.push(post);
      return { status, error, post };
    };
    const bot = this.state.bot(ru.teamId);
    const original = ru.original ?? this.lastHookMessage(ru);
    if (msg.delete_original === true || msg.delete_original === 'true') {
      if (original) {
        const m = this.state.findMessage(original.channel, original.ts);
        if (m) m.deleted = true;
      }
      post.action = 'deleted';
      ru.posts.push(post);
      return { status: 200, post };
    }
    let blocks = msg.blocks;
    if (typeof blocks === 'string') {
      try {
        blocks = JSON.parse(blocks);
      } catch {
        return fail(400, 'invalid_blocks_format');
      }
    }
    const text = msg.text !== undefined ? String(msg.text) : undefined;
    if (!text && !(Array.isArray(blocks) && blocks.length) && !(Array.isArray(msg.attachments) && msg.attachments.length)) {
      return fail(400, 'no_text');
    }
    if (blocks !== undefined) {
      const r = validateMessageBlocks(blocks);
      if (!r.ok) return fail(400, 'invalid_blocks');
    }
    if (text && text.length > LIMITS.messageText) return fail(400, 'msg_too_long');
    const replace = msg.replace_original === true || msg.replace_original === 'true';
    if (replace && original) {
      const m = this.state.findMessage(original.channel, original.ts);
      if (m) {
        m.history.push({ text: m.text, blocks: m.blocks, at: this.now() });
        m.text = text;
        m.blocks = Array.isArray(blocks) && blocks.length ? fillBlockIds(blocks) : undefined;
        m.attachments = msg.attachments;
        m.edited = { ts: this.state.nextTs(), count: (m.edited?.count ?? 0) + 1 };
        post.action = 'replaced';
        post.message = m;
        if (via === 'response_url') ru.posts.push(post);
        return { status: 200, post };
      }
    }
    const inChannel = msg.response_type === 'in_channel';
    const m: StoredMessage = {
      teamId: ru.teamId,
      channel: ru.channelId,
      ts: this.state.nextTs(),
      text,
      blocks: Array.isArray(blocks) && blocks.length ? fillBlockIds(blocks) : undefined,
      attachments: msg.attachments,
      threadTs: msg.thread_ts,
      user: bot.userId,
      botId: bot.botId,
      appId: this.appId,
      ephemeralTo: inChannel ? undefined : ru.userId,
      via,
      deleted: false,
      history: [],
      at: this.now(),
    };
    this.state.messages.push(m);
    (ru as ResponseUrl & { lastMessage?: { channel: string; ts: string } }).lastMessage = { channel: m.channel, ts: m.ts };
    post.action = 'posted';
    post.message = m;
    if (via === 'response_url') ru.posts.push(post);
    return { status: 200, post };
  }

  private lastHookMessage(ru: ResponseUrl): { channel: string; ts: string } | undefined {
    return (ru as ResponseUrl & { lastMessage?: { channel: string; ts: string } }).lastMessage;
  }

  private async handleResponseUrl(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const ru = this.state.responseUrls.get(id);
    const send = (status: number, body: Json | string) => {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (!ru) return send(404, 'no_service');
    if (this.now() - ru.createdAt > 30 * 60_000) return send(404, 'expired_url');
    if (ru.uses >= 5) return send(404, 'used_url');
    let msg: Json;
    try {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
      if (ct === 'application/x-www-form-urlencoded') {
        const p = new URLSearchParams(raw).get('payload');
        msg = JSON.parse(p ?? '{}');
      } else {
        msg = JSON.parse(raw);
      }
    } catch {
      ru.posts.push({ responseUrlId: ru.id, body: raw, status: 400, at: this.now(), action: 'rejected', error: 'invalid_payload' });
      this.notify();
      return send(400, 'invalid_payload');
    }
    ru.uses += 1;
    const r = this.postFromHook(ru, msg, 'response_url');
    this.notify();
    if (r.error) return send(r.status, { ok: false, error: r.error });
    return send(200, { ok: true });
  }

  // ---- OAuth ----------------------------------------------------------------------------

  private authorizeDecision(
    q: URLSearchParams,
    teamId: string,
    userId: string,
    deny = false,
  ): { location?: string; error?: string; code?: string } {
    const cfg = this.opts.oauth;
    if (!cfg || q.get('client_id') !== cfg.clientId) return { error: 'invalid_client_id' };
    const redirect = q.get('redirect_uri') ?? cfg.redirectUri;
    if (!redirect) return { error: 'no_redirect_uri' };
    if (cfg.redirectUri && q.get('redirect_uri') && !q.get('redirect_uri')!.startsWith(cfg.redirectUri))
      return { error: 'bad_redirect_uri' };
    const state = q.get('state') ?? '';
    const u = new URL(redirect);
    if (deny) {
      u.searchParams.set('error', 'access_denied');
      u.searchParams.set('state', state);
      return { location: u.toString() };
    }
    if (!this.state.userIn(teamId, userId)) return { error: 'unknown_user' };
    const code = `${Math.floor(this.now() / 1000)}.${randomHex(12)}.${randomHex(32)}`;
    const split = (s: string | null) => (s ?? '').split(/[ ,]+/).filter(Boolean);
    this.oauthCodes.set(code, {
      code,
      teamId,
      userId,
      scopes: split(q.get('scope')),
      userScopes: split(q.get('user_scope')),
      redirectUri: q.get('redirect_uri') ?? undefined,
      createdAt: this.now(),
      used: false,
    });
    u.searchParams.set('code', code);
    u.searchParams.set('state', state);
    return { location: u.toString(), code };
  }

  /**
   * Drive the whole install like a browser: GET the app's install URL, follow to the emulator's
   * authorize page, approve as teamId/userId, and GET the app's redirect_uri with code, state and
   * the cookie the app set. Returns the app's final response.
   */
  async authorize(i: { teamId: string; userId: string; url: string; deny?: boolean }): Promise<AuthorizeResult> {
    const jar = new Map<string, string>();
    const keep = (h: Headers) => {
      const cookies = (h as Headers & { getSetCookie?: () => string[] }).getSetCookie?.() ?? [];
      for (const c of cookies) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let r = await fetch(i.url, { redirect: 'manual' });
    keep(r.headers);
    let authUrl: string | undefined;
    if (r.status >= 300 && r.status < 400) authUrl = r.headers.get('location') ?? undefined;
    else {
      const html = await r.text();
      const m = new RegExp(`href=["']([^"']*${escapeRe('/oauth/v2/authorize')}[^"']*)["']`).exec(html);
      if (m) authUrl = m[1].replace(/&amp;/g, '&');
    }
    if (!authUrl) return { status: r.status, body: '', headers: flatHeaders(r.headers), error: 'no authorize link in install page' };
    const au = new URL(authUrl, i.url);
    const d = this.authorizeDecision(au.searchParams, i.teamId, i.userId, i.deny);
    if (!d.location) return { status: 400, body: '', headers: {}, error: d.error };
    r = await fetch(d.location, { redirect: 'manual', headers: jar.size ? { cookie: cookie() } : {} });
    keep(r.headers);
    return { status: r.status, body: await r.text(), headers: flatHeaders(r.headers), redirectedTo: d.location, code: d.code };
  }

  // ---- HTTP routing ---------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const path = u.pathname;
    if (path.startsWith('/api/') && (await this.chaos.intercept(req, res, path))) return;
    if (path.startsWith('/api/')) return this.handleApi(path.slice(5), u, req, res);
    if (path.startsWith('/response/') && req.method === 'POST') return this.handleResponseUrl(decodeURIComponent(path.slice(10)), req, res);
    if (path === '/oauth/v2/authorize') return this.handleAuthorizePage(u, req, res);
    if (path === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderViewer(this, u.searchParams));
      return;
    }
    if (path.startsWith('/_emu/control/') && req.method === 'POST') return this.handleControl(path.slice(14), req, res);
    if (path.startsWith('/_emu/') && req.method === 'POST') return this.handleViewerAction(path.slice(6), req, res);
    if (path === '/_emu/state' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages: this.state.messages, calls: this.state.calls.length }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  private async handleApi(method: string, u: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let args: Json = Object.fromEntries(u.searchParams);
    let parseError: string | undefined;
    if (raw) {
      if (ct === 'application/json') {
        try {
          const parsed = JSON.parse(raw);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = { ...args, ...parsed };
          else parseError = 'invalid_json';
        } catch {
          parseError = 'invalid_json';
        }
      } else if (ct === 'application/x-www-form-urlencoded' || ct === '') {
        args = { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
      } else if (ct.startsWith('multipart/')) {
        parseError = 'invalid_form_data';
      } else {
        parseError = 'invalid_post_type';
      }
    }
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const fullCt = String(req.headers['content-type'] ?? '').toLowerCase();
    const warnings: string[] = [];
    if (raw && ct === 'application/json' && !fullCt.includes('charset')) warnings.push('missing_charset');
    if (raw && ct === 'application/x-www-form-urlencoded' && fullCt.includes('charset')) warnings.push('superfluous_charset');
    // Slack reads the token of a JSON body only from the Authorization header
    const callArgs = ct === 'application/json' && raw ? (({ token: _t, ...rest }) => rest)(args) : args;
    let result: ReturnType<typeof this.api.call>;
    if (parseError)
      result = { status: 200, body: { ok: false, error: parseError } as Json, headers: {} as Record<string, string>, teamId: undefined };
    else result = this.api.call(method, callArgs, method === 'oauth.v2.access' ? (auth?.startsWith('Basic ') ? auth : undefined) : bearer);
    if (warnings.length && result.status === 200) {
      const prev = result.body.response_metadata?.warnings ?? [];
      result.body.warning = [result.body.warning, ...warnings].filter(Boolean).join(',');
      result.body.response_metadata = { ...(result.body.response_metadata ?? {}), warnings: [...prev, ...warnings] };
    }
    const { token: _tok, ...argsNoToken } = args;
    this.state.calls.push({
      method,
      args: argsNoToken,
      token: bearer ?? (typeof args.token === 'string' ? args.token : undefined),
      teamId: result.teamId,
      status: result.status,
      response: result.body,
      at: this.now(),
    });
    // parse JSON-string fields in the record for easy assertions
    const rec = this.state.calls[this.state.calls.length - 1];
    for (const f of ['blocks', 'attachments', 'view', 'metadata']) {
      if (typeof rec.args[f] === 'string') {
        try {
          rec.args[f] = JSON.parse(rec.args[f]);
        } catch {
          /* keep the string */
        }
      }
    }
    res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...result.headers });
    res.end(JSON.stringify(result.body));
    this.notify();
  }

  private async handleAuthorizePage(u: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const q = u.searchParams;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const orig = new URLSearchParams(form.get('query') ?? '');
      const [team, user] = (form.get('who') ?? '|').split('|');
      const d = this.authorizeDecision(orig, team, user, form.get('decision') === 'deny');
      if (!d.location) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<p>Slack emulator: ${d.error}</p>`);
        return;
      }
      res.writeHead(302, { location: d.location });
      res.end();
      return;
    }
    const cfg = this.opts.oauth;
    if (!cfg || q.get('client_id') !== cfg.clientId) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<p>Slack emulator: invalid_client_id</p>');
      return;
    }
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const users = [...this.state.users.values()].filter((x) => !x.isBot);
    const opts = users
      .map(
        (x) =>
          `<option value="${esc(x.teamId)}|${esc(x.id)}">${esc(this.state.teams.get(x.teamId)?.name ?? x.teamId)} — ${esc(x.name)}</option>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Install app</title></head><body style="font-family:sans-serif">
<h1>Install app ${esc(this.appId)}</h1><p>Bot scopes: <code>${esc(q.get('scope') ?? '')}</code> · user scopes: <code>${esc(q.get('user_scope') ?? '')}</code></p>
<form method="post" action="/oauth/v2/authorize">
<input type="hidden" name="query" value="${esc(q.toString())}">
<label>Install as <select name="who">${opts}</select></label>
<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Cancel</button></form></body></html>`);
  }

  /**
   * JSON control API for a test or sandbox in another process: POST /_emu/control/<method> with the
   * method's argument object as body (positional methods take {args:[...]}); answers {result} or {error}.
   */
  private async handleControl(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const allowed = new Set([
      'addTeam',
      'addUser',
      'addChannel',
      'archiveChannel',
      'joinChannel',
      'issueBotToken',
      'issueUserToken',
      'revokeToken',
      'deactivateUser',
      'uninstall',
      'setAppRequestUrl',
      'setOAuthRedirectUri',
      'setRateLimits',
      'injectRateLimit',
      'failNext',
      'setChaos',
      'chaosCounts',
      'reset',
      'slash',
      'clickButton',
      'submitView',
      'closeView',
      'options',
      'sendEvent',
      'openHome',
      'memberJoined',
      'userMessage',
      'urlVerification',
      'messages',
      'calls',
      'lastCall',
      'openViews',
      'homeView',
      'topView',
      'responses',
      'botUser',
      'dmChannel',
    ]);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, (_k, v) => (v instanceof Set ? [...v] : v)));
    };
    if (!allowed.has(name)) return send(404, { error: `unknown control method ${name}` });
    try {
      const raw = await readBody(req);
      const body = raw ? JSON.parse(raw) : undefined;
      const args = body && Array.isArray(body.args) ? body.args : body === undefined ? [] : [body];
      const fn = (this as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      let result = await fn.apply(this, args);
      if (result && typeof result === 'object' && 'request' in (result as Json)) {
        const { responses: _r, ...rest } = result as Json;
        result = rest;
      }
      send(200, { result: result === this ? null : (result ?? null) });
    } catch (e) {
      send(400, { error: (e as Error).message });
    }
  }

  private async handleViewerAction(action: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const g = (k: string) => form.get(k) ?? undefined;
    let note = '';
    try {
      if (action === 'slash') {
        const r = await this.slash({
          teamId: g('teamId'),
          userId: g('userId')!,
          channelId: g('channelId') || undefined,
          command: g('command') || '/ats',
          text: g('text') ?? '',
        });
        note = `slash: ${r.status}${r.error ? ` ${r.error}` : ''}`;
      } else if (action === 'click') {
        const msg = g('channel') && g('ts') ? { channel: g('channel')!, ts: g('ts')! } : undefined;
        const r = await this.clickButton({
          teamId: g('teamId'),
          userId: g('userId')!,
          actionId: g('actionId')!,
          blockId: g('blockId'),
          viewId: msg ? undefined : g('viewId'),
          message: msg,
          value: g('value'),
          selectedOption: g('selectedOption'),
        });
        note = `click: ${r.status}${r.error ? ` ${r.error}` : ''}`;
      } else if (action === 'submit') {
        const values: SubmitValues = {};
        for (const [k, v] of form) {
          if (!k.startsWith('v:')) continue;
          const [, bid, aid] = k.split(':');
          if (v === '') continue;
          (values[bid] ??= {})[aid] = v;
        }
        const r = await this.submitView({ teamId: g('teamId'), userId: g('userId')!, viewId: g('viewId'), values });
        note = `submit: ${r.status} ${r.responseAction ?? ''} ${r.problem ?? ''}`;
      } else if (action === 'close') {
        await this.closeView({ teamId: g('teamId'), userId: g('userId')!, viewId: g('viewId') });
        note = 'closed';
      } else if (action === 'home') {
        const r = await this.openHome({ teamId: g('teamId'), userId: g('userId')! });
        note = `app_home_opened: ${r.status}`;
      }
    } catch (e) {
      note = `error: ${(e as Error).message}`;
    }
    res.writeHead(303, { location: `/?note=${encodeURIComponent(note)}${g('as') ? `&as=${encodeURIComponent(g('as')!)}` : ''}` });
    res.end();
  }
}

export async function startSlackEmulator(opts: SlackEmulatorOptions): Promise<SlackEmulator> {
  const emu = new SlackEmulator(opts);
  return emu.listen();
}
