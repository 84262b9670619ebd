// Slack Web API methods (POST /api/<method>), answering Slack's envelope: HTTP 200 with
// {ok:true,...} or {ok:false,error,...}; HTTP 429 + Retry-After for rate limits.
import { LIMITS, validateMessageBlocks, validateView } from './blockkit-limits';
import type { RateLimiter } from './rate-limits';
import {
  randomId,
  type Channel,
  type Json,
  type SlackState,
  type StoredMessage,
  type StoredView,
  type TokenInfo,
  type User,
} from './state';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

export interface OAuthCode {
  code: string;
  teamId: string;
  userId: string;
  scopes: string[];
  userScopes: string[];
  redirectUri?: string;
  createdAt: number;
  used: boolean;
}

export interface ApiContext {
  state: SlackState;
  limiter: RateLimiter;
  now: () => number;
  oauth?: { clientId: string; clientSecret: string; redirectUri?: string };
  oauthCodes: Map<string, OAuthCode>;
  forcedRateLimits: Map<string, { times: number; retryAfterSec: number }>;
  forcedErrors: Map<string, { error: string; times: number }>;
  issueBotToken: (teamId: string, scopes: string[]) => TokenInfo;
  issueUserToken: (teamId: string, userId: string, scopes: string[]) => TokenInfo;
  /** ms a trigger_id stays valid (Slack: 3 s). */
  triggerTtlMs: number;
  /** ms an OAuth code stays valid (Slack: ~10 min). */
  codeTtlMs: number;
}

export interface ApiResult {
  status: number;
  body: Json;
  headers: Record<string, string>;
  teamId?: string;
}

export const DEFAULT_BOT_SCOPES = [
  'commands',
  'chat:write',
  'im:write',
  'im:read',
  'im:history',
  'mpim:write',
  'mpim:read',
  'users:read',
  'users:read.email',
  'channels:read',
  'groups:read',
  'channels:join',
  'channels:history',
  'groups:history',
  'team:read',
  'reactions:write',
  'channels:manage',
  'groups:write',
];

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** Decode JSON-string fields of form bodies (the WebClient stringifies objects into form fields). */
export function normalizeArgs(args: Json): Json {
  const out: Json = { ...args };
  for (const f of JSON_FIELDS) {
    if (typeof out[f] === 'string' && out[f] !== '') {
      try {
        out[f] = JSON.parse(out[f]);
      } catch {
        out[`__bad_${f}`] = true;
      }
    }
  }
  return out;
}

function scopeError(tok: TokenInfo, needed: string): never {
  throw new ApiError('missing_scope', { needed, provided: tok.scopes.join(',') });
}

function need(tok: TokenInfo, ...anyOf: string[]): void {
  if (!anyOf.some((s) => tok.scopes.includes(s))) scopeError(tok, anyOf[0]);
}

function paginate<T>(items: T[], args: Json, defLimit = 100, maxLimit = 1000): { page: T[]; next: string } {
  let offset = 0;
  const cursor = str(args.cursor);
  if (cursor) {
    const dec = Buffer.from(cursor, 'base64').toString('utf8');
    const m = /^offset:(\d+)$/.exec(dec);
    if (!m) throw new ApiError('invalid_cursor');
    offset = Number(m[1]);
  }
  let limit = args.limit !== undefined ? Number(args.limit) : defLimit;
  if (!Number.isFinite(limit) || limit <= 0) limit = defLimit;
  limit = Math.min(limit, maxLimit);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
  return { page, next };
}

export class WebApi {
  constructor(private ctx: ApiContext) {}

  private get s(): SlackState {
    return this.ctx.state;
  }

  // ---- shapes ---------------------------------------------------------------------------

  userObject(u: User, opts: { locale?: boolean; email?: boolean } = {}): Json {
    const o: Json = {
      id: u.id,
      team_id: u.teamId,
      name: u.name,
      deleted: u.deleted,
      color: '9f69e7',
      real_name: u.realName,
      tz: u.tz,
      tz_label: u.tz === 'Asia/Tokyo' ? 'Japan Standard Time' : 'Pacific Standard Time',
      tz_offset: u.tzOffset,
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: u.realName,
        real_name_normalized: u.realName,
        display_name: u.isBot ? '' : u.name,
        display_name_normalized: u.isBot ? '' : u.name,
        status_text: '',
        status_emoji: '',
        avatar_hash: 'g000000000ab',
        image_24: 'https://a.slack-edge.com/80588/img/avatars/ava_0001-24.png',
        image_48: 'https://a.slack-edge.com/80588/img/avatars/ava_0001-48.png',
        image_72: 'https://a.slack-edge.com/80588/img/avatars/ava_0001-72.png',
        image_192: 'https://a.slack-edge.com/80588/img/avatars/ava_0001-192.png',
        team: u.teamId,
        ...(u.isBot ? { bot_id: u.botId, api_app_id: this.s.appId, always_active: true } : {}),
        ...(opts.email && u.email && !u.isBot ? { email: u.email } : {}),
      },
      is_admin: u.isAdmin,
      is_owner: u.isOwner,
      is_primary_owner: u.isOwner,
      is_restricted: u.isRestricted,
      is_ultra_restricted: false,
      is_bot: u.isBot,
      is_app_user: false,
      updated: 1700000000,
      is_email_confirmed: !u.isBot,
      who_can_share_contact_card: 'EVERYONE',
    };
    if (opts.locale) o.locale = u.locale;
    return o;
  }

  channelObject(c: Channel, botUserId: string, opts: { locale?: boolean; numMembers?: boolean } = {}): Json {
    if (c.isIm) {
      return {
        id: c.id,
        created: c.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: c.teamId,
        updated: c.created * 1000,
        user: c.imUser,
        is_user_deleted: false,
        priority: 0,
        ...(opts.locale ? { locale: 'en-US' } : {}),
      };
    }
    return {
      id: c.id,
      name: c.name,
      is_channel: !c.isPrivate,
      is_group: c.isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: c.isPrivate,
      created: c.created,
      is_archived: c.isArchived,
      is_general: c.name === 'general',
      unlinked: 0,
      name_normalized: c.name,
      is_shared: Boolean(c.extShared),
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: c.teamId,
      updated: c.created * 1000,
      parent_conversation: null,
      creator: '',
      is_ext_shared: Boolean(c.extShared),
      shared_team_ids: c.extShared ? [c.teamId, 'E0OTHERORG'] : [c.teamId],
      pending_connected_team_ids: [],
      is_member: c.members.has(botUserId),
      topic: { value: c.topic ?? '', creator: '', last_set: 0 },
      purpose: { value: c.purpose ?? '', creator: '', last_set: 0 },
      previous_names: [],
      ...(opts.numMembers ? { num_members: c.members.size } : {}),
      ...(opts.locale ? { locale: 'en-US' } : {}),
    };
  }

  messageObject(m: StoredMessage): Json {
    const o: Json = { type: 'message' };
    if (m.botId) {
      o.subtype = undefined;
      o.text = m.text ?? '';
      o.user = m.user;
      o.bot_id = m.botId;
      o.app_id = m.appId;
      o.team = m.teamId;
      o.bot_profile = {
        id: m.botId,
        app_id: m.appId,
        name: 'hire-relay',
        icons: {},
        deleted: false,
        updated: 1700000000,
        team_id: m.teamId,
      };
    } else {
      o.text = m.text ?? '';
      o.user = m.user;
      o.team = m.teamId;
    }
    o.ts = m.ts;
    if (m.blocks) o.blocks = m.blocks;
    if (m.attachments) o.attachments = m.attachments;
    if (m.threadTs) o.thread_ts = m.threadTs;
    if (m.metadata) o.metadata = m.metadata;
    if (m.edited) o.edited = { user: m.user, ts: m.edited.ts };
    const replies = this.s.messages.filter(
      (r) => r.channel === m.channel && r.threadTs === m.ts && r.ts !== m.ts && !r.deleted && !r.ephemeralTo,
    );
    if (!m.threadTs && replies.length) {
      o.thread_ts = m.ts;
      o.reply_count = replies.length;
      o.latest_reply = replies[replies.length - 1].ts;
    }
    delete o.subtype;
    return o;
  }

  // ---- dispatch -------------------------------------------------------------------------

  private auth(args: Json, bearer: string | undefined): TokenInfo {
    const token = bearer ?? str(args.token);
    if (!token) throw new ApiError('not_authed');
    const tok = this.s.tokens.get(token);
    if (!tok) throw new ApiError('invalid_auth');
    if (tok.revoked) throw new ApiError('token_revoked');
    const u = this.s.users.get(tok.userId);
    if (u?.deleted) throw new ApiError('account_inactive');
    return tok;
  }

  call(method: string, rawArgs: Json, bearer: string | undefined): ApiResult {
    const headers: Record<string, string> = {};
    const forcedRl = this.ctx.forcedRateLimits.get(method);
    if (forcedRl && forcedRl.times > 0) {
      forcedRl.times -= 1;
      if (forcedRl.times === 0) this.ctx.forcedRateLimits.delete(method);
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(forcedRl.retryAfterSec) },
      };
    }
    const forced = this.ctx.forcedErrors.get(method);
    if (forced && forced.times > 0) {
      forced.times -= 1;
      if (forced.times === 0) this.ctx.forcedErrors.delete(method);
      return { status: 200, body: { ok: false, error: forced.error }, headers };
    }
    const args = normalizeArgs(rawArgs);
    let tok: TokenInfo | undefined;
    try {
      if (method === 'oauth.v2.access') {
        const rl = this.ctx.limiter.check(method, 'oauth');
        if (rl.limited)
          return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(rl.retryAfterSec) } };
        const body = this.oauthV2Access(args, bearer);
        return { status: 200, body: { ok: true, ...body }, headers, teamId: body.team?.id };
      }
      if (method === 'api.test') return { status: 200, body: { ok: true, args }, headers };
      const handler = this.handlers[method];
      if (!handler) {
        return { status: 200, body: { ok: false, error: 'unknown_method', req_method: method }, headers };
      }
      tok = this.auth(args, bearer);
      headers['x-oauth-scopes'] = tok.scopes.join(',');
      const channelForLimit = method === 'chat.postMessage' ? str(args.channel) : undefined;
      const rl = this.ctx.limiter.check(method, tok.teamId, channelForLimit);
      if (rl.limited) {
        headers['retry-after'] = String(rl.retryAfterSec);
        return { status: 429, body: { ok: false, error: 'ratelimited' }, headers, teamId: tok.teamId };
      }
      const body = handler.call(this, tok, args);
      return { status: 200, body: { ok: true, ...body }, headers, teamId: tok.teamId };
    } catch (e) {
      if (e instanceof ApiError) {
        return { status: 200, body: { ok: false, error: e.code, ...e.extra }, headers, teamId: tok?.teamId };
      }
      // Slack answers internal failures as {ok:false,error:'internal_error'} (never a bare 500 by accident)
      return {
        status: 200,
        body: { ok: false, error: 'internal_error', emulator_detail: (e as Error).message },
        headers,
        teamId: tok?.teamId,
      };
    }
  }

  private handlers: Record<string, (this: WebApi, tok: TokenInfo, args: Json) => Json> = {
    'api.test': (_t, args) => ({ args }),
    'auth.test': function (tok) {
      const team = this.s.team(tok.teamId);
      const u = this.s.users.get(tok.userId);
      return {
        url: `https://${team.domain}.slack.com/`,
        team: team.name,
        user: u?.name ?? 'bot',
        team_id: team.id,
        user_id: tok.userId,
        ...(tok.kind === 'bot' ? { bot_id: tok.botId } : {}),
        is_enterprise_install: false,
      };
    },
    'auth.revoke': (tok, args) => {
      if (bool(args.test)) return { revoked: false };
      tok.revoked = true;
      return { revoked: true };
    },
    'bots.info': function (tok, args) {
      const botId = str(args.bot) ?? tok.botId;
      const b = this.s.botUsers.get(tok.teamId);
      if (!b || b.botId !== botId) throw new ApiError('bot_not_found');
      return {
        bot: {
          id: b.botId,
          deleted: false,
          name: 'hire-relay',
          updated: 1700000000,
          app_id: this.s.appId,
          user_id: b.userId,
          icons: { image_36: '', image_48: '', image_72: '' },
        },
      };
    },
    'team.info': function (tok, args) {
      need(tok, 'team:read');
      const want = str(args.team);
      if (want && want !== tok.teamId) throw new ApiError('team_not_found');
      const t = this.s.team(tok.teamId);
      return {
        team: {
          id: t.id,
          name: t.name,
          url: `https://${t.domain}.slack.com/`,
          domain: t.domain,
          email_domain: '',
          icon: {
            image_default: true,
            image_34: '',
            image_44: '',
            image_68: '',
            image_88: '',
            image_102: '',
            image_132: '',
            image_230: '',
          },
          avatar_base_url: 'https://ca.slack-edge.com/',
          is_verified: false,
        },
      };
    },
    'users.info': function (tok, args) {
      need(tok, 'users:read');
      const id = str(args.user);
      if (!id) throw new ApiError('user_not_found');
      const u = this.s.userIn(tok.teamId, id);
      if (!u) throw new ApiError('user_not_found');
      return { user: this.userObject(u, { locale: bool(args.include_locale), email: tok.scopes.includes('users:read.email') }) };
    },
    'users.list': function (tok, args) {
      need(tok, 'users:read');
      const all = [...this.s.users.values()].filter((u) => u.teamId === tok.teamId);
      const { page, next } = paginate(all, args, Math.max(all.length, 1), 1000);
      return {
        members: page.map((u) => this.userObject(u, { locale: bool(args.include_locale), email: tok.scopes.includes('users:read.email') })),
        cache_ts: Math.floor(this.ctx.now() / 1000),
        response_metadata: { next_cursor: next },
      };
    },
    'users.lookupByEmail': function (tok, args) {
      need(tok, 'users:read.email');
      const email = str(args.email)?.toLowerCase();
      const u = [...this.s.users.values()].find((x) => x.teamId === tok.teamId && x.email?.toLowerCase() === email && !x.deleted);
      if (!u) throw new ApiError('users_not_found');
      return { user: this.userObject(u, { email: true }) };
    },
    'conversations.open': function (tok, args) {
      const usersArg = args.users;
      const channelArg = str(args.channel);
      if (channelArg) {
        const c = this.s.channelIn(tok.teamId, channelArg);
        if (!c?.isIm) throw new ApiError('channel_not_found');
        return { channel: bool(args.return_im) ? this.channelObject(c, tok.userId) : { id: c.id } };
      }
      const ids = (Array.isArray(usersArg) ? usersArg.map(String) : (str(usersArg) ?? '').split(',')).map((x) => x.trim()).filter(Boolean);
      if (ids.length === 0) throw new ApiError('users_list_not_supplied');
      if (ids.length > 8) throw new ApiError('too_many_users');
      for (const id of ids) {
        const u = this.s.userIn(tok.teamId, id);
        if (!u) throw new ApiError('user_not_found');
        if (u.deleted) throw new ApiError('user_disabled');
      }
      const others = ids.filter((x) => x !== tok.userId);
      if (others.length <= 1) {
        need(tok, 'im:write');
        const other = others[0] ?? tok.userId;
        if (this.s.users.get(other)?.isBot && other !== tok.userId) throw new ApiError('cannot_dm_bot');
        const existing = this.s.findIm(tok.teamId, other);
        if (existing) {
          return {
            no_op: true,
            already_open: true,
            channel: bool(args.return_im) ? this.channelObject(existing, tok.userId) : { id: existing.id },
          };
        }
        if (bool(args.prevent_creation)) throw new ApiError('channel_not_found');
        const c = this.s.imWith(tok.teamId, other);
        return { channel: bool(args.return_im) ? this.channelObject(c, tok.userId) : { id: c.id } };
      }
      need(tok, 'mpim:write');
      const members = new Set([tok.userId, ...others]);
      for (const c of this.s.channels.values()) {
        if (
          c.teamId === tok.teamId &&
          c.name.startsWith('mpdm-') &&
          c.members.size === members.size &&
          [...members].every((m) => c.members.has(m))
        ) {
          return { no_op: true, already_open: true, channel: { id: c.id } };
        }
      }
      const c: Channel = {
        id: randomId('C'),
        teamId: tok.teamId,
        name: `mpdm-${others.join('--')}-1`,
        isPrivate: true,
        isArchived: false,
        isIm: false,
        members,
        created: Math.floor(this.ctx.now() / 1000),
      };
      this.s.channels.set(c.id, c);
      return { channel: { id: c.id } };
    },
    'conversations.info': function (tok, args) {
      const c = this.readableChannel(tok, str(args.channel));
      return {
        channel: this.channelObject(c, tok.userId, { locale: bool(args.include_locale), numMembers: bool(args.include_num_members) }),
      };
    },
    'conversations.members': function (tok, args) {
      const c = this.readableChannel(tok, str(args.channel));
      const { page, next } = paginate([...c.members], args, 100, 1000);
      return { members: page, response_metadata: { next_cursor: next } };
    },
    'conversations.list': function (tok, args) {
      const types = (str(args.types) ?? 'public_channel').split(',').map((t) => t.trim());
      if (types.includes('public_channel')) need(tok, 'channels:read');
      if (types.includes('private_channel')) need(tok, 'groups:read');
      if (types.includes('im')) need(tok, 'im:read');
      const excludeArchived = bool(args.exclude_archived);
      const all = [...this.s.channels.values()].filter((c) => {
        if (c.teamId !== tok.teamId) return false;
        if (excludeArchived && c.isArchived) return false;
        if (c.isIm) return types.includes('im');
        if (c.name.startsWith('mpdm-')) return types.includes('mpim') && c.members.has(tok.userId);
        if (c.isPrivate) return types.includes('private_channel') && c.members.has(tok.userId);
        return types.includes('public_channel');
      });
      const { page, next } = paginate(all, args, 100, 1000);
      return { channels: page.map((c) => this.channelObject(c, tok.userId)), response_metadata: { next_cursor: next } };
    },
    'conversations.join': function (tok, args) {
      need(tok, 'channels:join');
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c) throw new ApiError('channel_not_found');
      if (c.isIm || c.isPrivate) {
        if (!c.members.has(tok.userId)) throw new ApiError('channel_not_found');
        throw new ApiError('method_not_supported_for_channel_type');
      }
      if (c.isArchived) throw new ApiError('is_archived');
      if (c.members.has(tok.userId)) {
        return {
          channel: this.channelObject(c, tok.userId),
          warning: 'already_in_channel',
          response_metadata: { warnings: ['already_in_channel'] },
        };
      }
      c.members.add(tok.userId);
      return { channel: this.channelObject(c, tok.userId) };
    },
    'conversations.create': function (tok, args) {
      const isPrivate = bool(args.is_private);
      need(tok, isPrivate ? 'groups:write' : 'channels:manage');
      const name = str(args.name) ?? '';
      if (!name) throw new ApiError('invalid_name_required');
      if (name.length > 80) throw new ApiError('invalid_name_maxlength');
      if (!/^[\p{Ll}\p{Lo}\p{N}_-]+$/u.test(name)) throw new ApiError('invalid_name_specials');
      for (const c of this.s.channels.values()) if (c.teamId === tok.teamId && c.name === name) throw new ApiError('name_taken');
      const c: Channel = {
        id: randomId('C'),
        teamId: tok.teamId,
        name,
        isPrivate,
        isArchived: false,
        isIm: false,
        members: new Set([tok.userId]),
        created: Math.floor(this.ctx.now() / 1000),
      };
      this.s.channels.set(c.id, c);
      return { channel: this.channelObject(c, tok.userId) };
    },
    'conversations.invite': function (tok, args) {
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c || (c.isPrivate && !c.members.has(tok.userId))) throw new ApiError('channel_not_found');
      need(tok, c.isPrivate ? 'groups:write' : 'channels:manage');
      if (c.isIm) throw new ApiError('method_not_supported_for_channel_type');
      if (c.isArchived) throw new ApiError('is_archived');
      if (!c.members.has(tok.userId)) throw new ApiError('not_in_channel');
      const ids = (str(args.users) ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (!ids.length) throw new ApiError('no_user');
      if (ids.length > 1000) throw new ApiError('too_many_users');
      for (const u of ids) {
        if (u === tok.userId) throw new ApiError('cant_invite_self');
        const user = this.s.userIn(tok.teamId, u);
        if (!user) throw new ApiError('user_not_found');
        if (c.members.has(u)) throw new ApiError('already_in_channel', { errors: [{ user: u, ok: false, error: 'already_in_channel' }] });
      }
      for (const u of ids) c.members.add(u);
      return { channel: this.channelObject(c, tok.userId) };
    },
    'users.conversations': function (tok, args) {
      const types = (str(args.types) ?? 'public_channel').split(',').map((t) => t.trim());
      if (types.includes('public_channel')) need(tok, 'channels:read');
      if (types.includes('private_channel')) need(tok, 'groups:read');
      const who = str(args.user) ?? tok.userId;
      if (!this.s.userIn(tok.teamId, who)) throw new ApiError('user_not_found');
      const all = [...this.s.channels.values()].filter(
        (c) =>
          c.teamId === tok.teamId &&
          c.members.has(who) &&
          (bool(args.exclude_archived) ? !c.isArchived : true) &&
          (c.isIm ? types.includes('im') : c.isPrivate ? types.includes('private_channel') : types.includes('public_channel')),
      );
      const { page, next } = paginate(all, args, 100, 1000);
      return { channels: page.map((c) => this.channelObject(c, tok.userId)), response_metadata: { next_cursor: next } };
    },
    'conversations.leave': function (tok, args) {
      const c = this.readableChannel(tok, str(args.channel));
      if (c.isIm) throw new ApiError('method_not_supported_for_channel_type');
      if (!c.members.has(tok.userId)) return { not_in_channel: true };
      c.members.delete(tok.userId);
      return {};
    },
    'conversations.history': function (tok, args) {
      const c = this.readableChannel(tok, str(args.channel), 'history');
      const msgs = this.s.messages
        .filter((m) => m.channel === c.id && !m.deleted && !m.ephemeralTo && (!m.threadTs || m.threadTs === m.ts || m.replyBroadcast))
        .sort((a, b) => (a.ts < b.ts ? 1 : -1));
      const { page, next } = paginate(msgs, args, 100, 999);
      return {
        messages: page.map((m) => this.messageObject(m)),
        has_more: next !== '',
        pin_count: 0,
        response_metadata: { next_cursor: next },
      };
    },
    'conversations.replies': function (tok, args) {
      const c = this.readableChannel(tok, str(args.channel), 'history');
      const ts = str(args.ts);
      const parent = ts ? this.s.findMessage(c.id, ts) : undefined;
      if (!parent || parent.ephemeralTo) throw new ApiError('thread_not_found');
      const root = parent.threadTs ?? parent.ts;
      const msgs = this.s.messages
        .filter((m) => m.channel === c.id && !m.deleted && !m.ephemeralTo && (m.ts === root || m.threadTs === root))
        .sort((a, b) => (a.ts < b.ts ? -1 : 1));
      const { page, next } = paginate(msgs, args, 1000, 1000);
      return { messages: page.map((m) => this.messageObject(m)), has_more: next !== '', response_metadata: { next_cursor: next } };
    },
    'chat.postMessage': function (tok, args) {
      need(tok, 'chat:write', 'chat:write:bot');
      const c = this.postTarget(tok, str(args.channel));
      const content = this.content(args, LIMITS.messageText);
      let threadTs = str(args.thread_ts);
      if (threadTs) {
        const parent = this.s.findMessage(c.id, threadTs);
        if (parent?.threadTs) threadTs = parent.threadTs;
      }
      const m = this.store(tok, c, content, { threadTs, replyBroadcast: bool(args.reply_broadcast), via: 'chat.postMessage' });
      return { channel: c.id, ts: m.ts, message: this.messageObject(m) };
    },
    'chat.postEphemeral': function (tok, args) {
      need(tok, 'chat:write', 'chat:write:bot');
      const c = this.postTarget(tok, str(args.channel));
      const userId = str(args.user);
      const u = userId ? this.s.userIn(tok.teamId, userId) : undefined;
      if (!u) throw new ApiError('user_not_found');
      if (!c.members.has(u.id)) throw new ApiError('user_not_in_channel');
      const content = this.content(args, LIMITS.messageText);
      const m = this.store(tok, c, content, { threadTs: str(args.thread_ts), ephemeralTo: u.id, via: 'chat.postEphemeral' });
      return { message_ts: m.ts };
    },
    'chat.update': function (tok, args) {
      need(tok, 'chat:write', 'chat:write:bot');
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c) throw new ApiError('channel_not_found');
      const ts = str(args.ts);
      const m = ts ? this.s.findMessage(c.id, ts) : undefined;
      if (!m || m.ephemeralTo) throw new ApiError('message_not_found');
      if (m.user !== tok.userId) throw new ApiError('cant_update_message');
      if (c.isArchived) throw new ApiError('is_archived');
      const content = this.content(args, LIMITS.updateText, true);
      m.history.push({ text: m.text, blocks: m.blocks, at: this.ctx.now() });
      if (content.text !== undefined) m.text = content.text;
      if (content.blocks !== undefined) m.blocks = content.blocks.length ? fillBlockIds(content.blocks) : undefined;
      if (content.attachments !== undefined) m.attachments = content.attachments;
      if (content.metadata !== undefined) m.metadata = content.metadata;
      m.edited = { ts: this.s.nextTs(), count: (m.edited?.count ?? 0) + 1 };
      return { channel: c.id, ts: m.ts, text: m.text ?? '', message: this.messageObject(m) };
    },
    'chat.delete': function (tok, args) {
      need(tok, 'chat:write', 'chat:write:bot');
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c) throw new ApiError('channel_not_found');
      const ts = str(args.ts);
      const m = ts ? this.s.findMessage(c.id, ts) : undefined;
      if (!m || m.ephemeralTo) throw new ApiError('message_not_found');
      if (m.user !== tok.userId) throw new ApiError('cant_delete_message');
      m.deleted = true;
      return { channel: c.id, ts: m.ts };
    },
    'chat.getPermalink': function (tok, args) {
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c) throw new ApiError('channel_not_found');
      const ts = str(args.message_ts);
      const m = ts ? this.s.findMessage(c.id, ts) : undefined;
      if (!m || m.ephemeralTo) throw new ApiError('message_not_found');
      const team = this.s.team(tok.teamId);
      const p = m.ts.replace('.', '');
      const thread = m.threadTs && m.threadTs !== m.ts ? `?thread_ts=${m.threadTs}&cid=${c.id}` : '';
      return { channel: c.id, permalink: `https://${team.domain}.slack.com/archives/${c.id}/p${p}${thread}` };
    },
    'reactions.add': function (tok, args) {
      need(tok, 'reactions:write');
      const id = str(args.channel);
      const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
      if (!c) throw new ApiError('channel_not_found');
      const ts = str(args.timestamp);
      if (!ts || !this.s.findMessage(c.id, ts)) throw new ApiError('message_not_found');
      if (!str(args.name)) throw new ApiError('invalid_name');
      return {};
    },
    'views.open': function (tok, args) {
      const view = this.checkView(args, 'modal');
      const trig = this.useTrigger(tok, args);
      const stack = this.s.modalStack(tok.teamId, trig.userId);
      for (const id of stack) {
        const old = this.s.views.get(id);
        if (old) old.closed = true;
      }
      stack.length = 0;
      const v = this.newView(tok, trig.userId, view, null, null);
      stack.push(v.id);
      return { view: this.s.viewPayload(v) };
    },
    'views.push': function (tok, args) {
      const view = this.checkView(args, 'modal');
      const trig = this.peekTrigger(tok, args);
      const stack = this.s.modalStack(tok.teamId, trig.userId);
      if (stack.length === 0) throw new ApiError('not_found');
      if (stack.length >= 3) throw new ApiError('push_limit_reached');
      this.useTrigger(tok, args);
      const top = this.s.views.get(stack[stack.length - 1])!;
      const v = this.newView(tok, trig.userId, view, top.id, top.rootViewId);
      stack.push(v.id);
      return { view: this.s.viewPayload(v) };
    },
    'views.update': function (tok, args) {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (!viewId && !externalId) {
        throw new ApiError('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] either view_id or external_id must be provided [json-pointer:/]'] },
        });
      }
      let v: StoredView | undefined;
      if (viewId) v = this.s.views.get(viewId);
      else for (const x of this.s.views.values()) if (x.teamId === tok.teamId && x.externalId === externalId) v = x;
      if (!v || v.teamId !== tok.teamId || v.closed) throw new ApiError('not_found');
      const hash = str(args.hash);
      if (hash && hash !== v.hash) throw new ApiError('hash_conflict');
      const view = this.checkView(args, v.type, v);
      this.replaceView(v, view);
      return { view: this.s.viewPayload(v) };
    },
    'views.publish': function (tok, args) {
      const userId = str(args.user_id);
      const u = userId ? this.s.userIn(tok.teamId, userId) : undefined;
      if (!u) {
        throw new ApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] invalid user_id [json-pointer:/user_id]'] } });
      }
      const team = this.s.team(tok.teamId);
      if (!team.homeTabEnabled) throw new ApiError('not_enabled');
      const existingId = this.s.homes.get(this.s.key(tok.teamId, u.id));
      const existing = existingId ? this.s.views.get(existingId) : undefined;
      const hash = str(args.hash);
      if (hash && existing && hash !== existing.hash) throw new ApiError('hash_conflict');
      const view = this.checkView(args, 'home', existing);
      if (existing) {
        this.replaceView(existing, view);
        return { view: this.s.viewPayload(existing) };
      }
      const v = this.newView(tok, u.id, view, null, null);
      this.s.homes.set(this.s.key(tok.teamId, u.id), v.id);
      return { view: this.s.viewPayload(v) };
    },
  };

  // ---- helpers --------------------------------------------------------------------------

  private readableChannel(tok: TokenInfo, id: string | undefined, kind: 'read' | 'history' = 'read'): Channel {
    const c = id ? this.s.channelIn(tok.teamId, id) : undefined;
    if (!c) throw new ApiError('channel_not_found');
    if (c.isIm) {
      if (!c.members.has(tok.userId)) throw new ApiError('channel_not_found');
      need(tok, kind === 'history' ? 'im:history' : 'im:read');
    } else if (c.isPrivate) {
      if (!c.members.has(tok.userId)) throw new ApiError('channel_not_found');
      need(tok, kind === 'history' ? 'groups:history' : 'groups:read');
    } else {
      need(tok, kind === 'history' ? 'channels:history' : 'channels:read');
      if (kind === 'history' && !c.members.has(tok.userId)) throw new ApiError('not_in_channel');
    }
    return c;
  }

  /** Where chat.postMessage / postEphemeral may post, with Slack's errors. */
  private postTarget(tok: TokenInfo, id: string | undefined): Channel {
    if (!id) throw new ApiError('channel_not_found');
    if (/^[UW][A-Z0-9]+$/.test(id)) {
      const u = this.s.userIn(tok.teamId, id);
      if (!u) throw new ApiError('channel_not_found');
      if (u.id === tok.userId) throw new ApiError('channel_not_found');
      if (u.isBot) throw new ApiError('cannot_dm_bot');
      if (u.deleted) throw new ApiError('user_disabled');
      return this.s.imWith(tok.teamId, u.id);
    }
    const c = this.s.channelIn(tok.teamId, id);
    if (!c) throw new ApiError('channel_not_found');
    if (c.isIm) {
      if (!c.members.has(tok.userId)) throw new ApiError('channel_not_found');
      const other = c.imUser ? this.s.users.get(c.imUser) : undefined;
      if (other?.deleted) throw new ApiError('is_inactive');
      return c;
    }
    if (c.isPrivate && !c.members.has(tok.userId)) throw new ApiError('channel_not_found');
    if (c.isArchived) throw new ApiError('is_archived');
    if (!c.members.has(tok.userId)) {
      if (c.isPrivate || !tok.scopes.includes('chat:write.public')) throw new ApiError('not_in_channel');
    }
    return c;
  }

  /** text / blocks / attachments of a chat.* call, validated like Slack. */
  content(args: Json, maxText: number, isUpdate = false): { text?: string; blocks?: Json[]; attachments?: Json[]; metadata?: Json } {
    if (args.__bad_blocks) throw new ApiError('invalid_blocks_format');
    if (args.__bad_attachments) throw new ApiError('invalid_attachments');
    const text = str(args.text);
    const blocks = args.blocks as Json[] | undefined;
    const attachments = args.attachments as Json[] | undefined;
    const markdown = str(args.markdown_text);
    if (blocks !== undefined && !Array.isArray(blocks)) throw new ApiError('invalid_blocks_format');
    if (attachments !== undefined && !Array.isArray(attachments)) throw new ApiError('invalid_attachments');
    const hasBlocks = Array.isArray(blocks) && (blocks.length > 0 || isUpdate);
    if (!isUpdate && !text && !hasBlocks && !attachments?.length && !markdown) throw new ApiError('no_text');
    if (isUpdate && text === undefined && blocks === undefined && attachments === undefined && !markdown) {
      throw new ApiError('no_text');
    }
    if (markdown && (text || blocks)) throw new ApiError('markdown_text_conflict');
    if (markdown && markdown.length > 12_000) throw new ApiError('msg_too_long');
    if (text && text.length > maxText) throw new ApiError('msg_too_long');
    if (attachments && attachments.length > LIMITS.attachments) throw new ApiError('too_many_attachments');
    if (blocks) {
      const r = validateMessageBlocks(blocks);
      if (!r.ok) {
        throw new ApiError('invalid_blocks', {
          errors: r.messages.map((m) => m.replace(/^\[ERROR\] /, '')),
          response_metadata: { messages: r.messages },
        });
      }
    }
    return {
      text: markdown ?? text,
      blocks,
      attachments,
      metadata: args.metadata as Json | undefined,
    };
  }

  store(
    tok: TokenInfo,
    c: Channel,
    content: { text?: string; blocks?: Json[]; attachments?: Json[]; metadata?: Json },
    opts: { threadTs?: string; replyBroadcast?: boolean; ephemeralTo?: string; via: StoredMessage['via'] },
  ): StoredMessage {
    const m: StoredMessage = {
      teamId: tok.teamId,
      channel: c.id,
      ts: this.s.nextTs(),
      text: content.text,
      blocks: content.blocks?.length ? fillBlockIds(content.blocks) : undefined,
      attachments: content.attachments,
      metadata: content.metadata,
      threadTs: opts.threadTs,
      replyBroadcast: opts.replyBroadcast,
      user: tok.userId,
      botId: tok.botId,
      appId: tok.kind === 'bot' ? this.s.appId : undefined,
      ephemeralTo: opts.ephemeralTo,
      via: opts.via,
      deleted: false,
      history: [],
      at: this.ctx.now(),
    };
    this.s.messages.push(m);
    return m;
  }

  private checkView(args: Json, expected: 'modal' | 'home', existing?: StoredView): Json {
    if (args.__bad_view)
      throw new ApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] invalid json [json-pointer:/view]'] } });
    const view = args.view;
    if (view === undefined) {
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: view [json-pointer:/]'] },
      });
    }
    const r = validateView(view, expected);
    if (r.tooLarge) throw new ApiError('view_too_large');
    if (!r.ok) throw new ApiError('invalid_arguments', { response_metadata: { messages: r.messages } });
    const ext = (view as Json).external_id as string | undefined;
    if (ext) {
      for (const v of this.s.views.values()) {
        if (v.externalId === ext && v !== existing && !v.closed && v.teamId === (existing?.teamId ?? v.teamId)) {
          if (!existing || v.teamId === existing.teamId) throw new ApiError('duplicate_external_id');
        }
      }
    }
    return view as Json;
  }

  private peekTrigger(tok: TokenInfo, args: Json): { userId: string } {
    const id = str(args.trigger_id) ?? str(args.interactivity_pointer);
    if (!id) {
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: trigger_id [json-pointer:/]'] },
      });
    }
    const t = this.s.triggers.get(id);
    if (!t || t.teamId !== tok.teamId) throw new ApiError('invalid_trigger_id');
    if (t.used) throw new ApiError('exchanged_trigger_id');
    if (this.ctx.now() - t.issuedAt > this.ctx.triggerTtlMs) throw new ApiError('expired_trigger_id');
    return { userId: t.userId };
  }

  private useTrigger(tok: TokenInfo, args: Json): { userId: string } {
    const r = this.peekTrigger(tok, args);
    const id = str(args.trigger_id) ?? str(args.interactivity_pointer);
    this.s.triggers.get(id!)!.used = true;
    return r;
  }

  private newView(tok: TokenInfo, userId: string, view: Json, previous: string | null, root: string | null): StoredView {
    return this.createView(tok.teamId, userId, view, previous, root);
  }

  /** A new stored view (views.open/push/publish, response_action push). */
  createView(teamId: string, userId: string, view: Json, previous: string | null, root: string | null): StoredView {
    const id = randomId('V');
    view = fillIds(view);
    const v: StoredView = {
      id,
      teamId,
      userId,
      type: view.type,
      view,
      hash: this.s.newHash(),
      rootViewId: root ?? id,
      previousViewId: previous,
      externalId: (view.external_id as string) ?? '',
      appId: this.s.appId,
      botId: this.s.bot(teamId).botId,
      values: initialValues(view),
      closed: false,
      openedAt: this.ctx.now(),
      updatedAt: this.ctx.now(),
    };
    this.s.views.set(id, v);
    return v;
  }

  replaceView(v: StoredView, view: Json): void {
    // Slack keeps what the user typed when block_id/action_id stay the same.
    view = fillIds(view);
    const fresh = initialValues(view);
    for (const [b, acts] of Object.entries(fresh)) {
      for (const a of Object.keys(acts)) {
        const old = v.values[b]?.[a];
        if (old && old.type === acts[a].type) acts[a] = old;
      }
    }
    v.view = view;
    v.values = fresh;
    v.hash = this.s.newHash();
    v.externalId = (view.external_id as string) ?? v.externalId;
    v.errors = undefined;
    v.updatedAt = this.ctx.now();
  }

  // ---- OAuth ----------------------------------------------------------------------------

  private oauthV2Access(args: Json, basic: string | undefined): Json {
    const cfg = this.ctx.oauth;
    let clientId = str(args.client_id);
    let clientSecret = str(args.client_secret);
    if (basic?.startsWith('Basic ')) {
      const dec = Buffer.from(basic.slice(6), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      clientId = dec.slice(0, i);
      clientSecret = dec.slice(i + 1);
    }
    if (!cfg || !clientId || clientId !== cfg.clientId) throw new ApiError('invalid_client_id');
    if (clientSecret !== cfg.clientSecret) throw new ApiError('bad_client_secret');
    const grant = str(args.grant_type);
    if (grant && grant !== 'authorization_code') {
      if (grant === 'refresh_token') throw new ApiError('invalid_refresh_token');
      throw new ApiError('invalid_grant_type');
    }
    const code = str(args.code);
    const c = code ? this.ctx.oauthCodes.get(code) : undefined;
    if (!c || c.used || this.ctx.now() - c.createdAt > this.ctx.codeTtlMs) throw new ApiError('invalid_code');
    const redirect = str(args.redirect_uri);
    if (c.redirectUri && redirect !== c.redirectUri) throw new ApiError('bad_redirect_uri');
    c.used = true;
    const team = this.s.team(c.teamId);
    const bot = this.ctx.issueBotToken(c.teamId, c.scopes);
    const authed: Json = { id: c.userId };
    if (c.userScopes.length) {
      const ut = this.ctx.issueUserToken(c.teamId, c.userId, c.userScopes);
      authed.scope = c.userScopes.join(',');
      authed.access_token = ut.token;
      authed.token_type = 'user';
    }
    return {
      app_id: this.s.appId,
      authed_user: authed,
      scope: c.scopes.join(','),
      token_type: 'bot',
      access_token: bot.token,
      bot_user_id: bot.userId,
      team: { id: team.id, name: team.name },
      enterprise: null,
      is_enterprise_install: false,
    };
  }
}

const INPUT_TYPES_NULL_VALUE: Record<string, string> = {
  plain_text_input: 'value',
  email_text_input: 'value',
  url_text_input: 'value',
  number_input: 'value',
  static_select: 'selected_option',
  external_select: 'selected_option',
  radio_buttons: 'selected_option',
  users_select: 'selected_user',
  conversations_select: 'selected_conversation',
  channels_select: 'selected_channel',
  datepicker: 'selected_date',
  timepicker: 'selected_time',
  datetimepicker: 'selected_date_time',
};
const INPUT_TYPES_ARRAY: Record<string, string> = {
  multi_static_select: 'selected_options',
  multi_external_select: 'selected_options',
  checkboxes: 'selected_options',
  multi_users_select: 'selected_users',
  multi_conversations_select: 'selected_conversations',
  multi_channels_select: 'selected_channels',
  file_input: 'files',
};

/** The state.values Slack reports for an element nobody has touched (initial_* or empty). */
export function initialElementValue(el: Json): Json | undefined {
  const type = el.type as string;
  const init: Record<string, string> = {
    value: 'initial_value',
    selected_option: 'initial_option',
    selected_user: 'initial_user',
    selected_conversation: 'initial_conversation',
    selected_channel: 'initial_channel',
    selected_date: 'initial_date',
    selected_time: 'initial_time',
    selected_date_time: 'initial_date_time',
    selected_options: 'initial_options',
    selected_users: 'initial_users',
    selected_conversations: 'initial_conversations',
    selected_channels: 'initial_channels',
  };
  if (type === 'rich_text_input') return { type, rich_text_value: el.initial_value ?? null };
  const single = INPUT_TYPES_NULL_VALUE[type];
  if (single) return { type, [single]: el[init[single]] ?? null };
  const multi = INPUT_TYPES_ARRAY[type];
  if (multi) return { type, [multi]: el[init[multi] ?? ''] ?? [] };
  return undefined;
}

/** Initial state.values of a view: one entry per input block element. */
export function initialValues(view: Json): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  for (const b of blocks) {
    if (b?.type !== 'input' || !b.element) continue;
    const v = initialElementValue(b.element);
    if (!v) continue;
    const bid = b.block_id as string | undefined;
    const aid = b.element.action_id as string | undefined;
    if (!bid || !aid) continue; // Slack generates random ids; tests should always set them
    (out[bid] ??= {})[aid] = v;
  }
  return out;
}

/** Slack fills in a random block_id / action_id where the app left them out. */
export function fillIds(view: Json): Json {
  if (!Array.isArray(view.blocks)) return view;
  return { ...view, blocks: fillBlockIds(view.blocks) };
}

/** Blocks as Slack stores them: every block has a block_id, every interactive element an action_id. */
export function fillBlockIds(blocksIn: Json[]): Json[] {
  if (!Array.isArray(blocksIn)) return blocksIn;
  const rid = () => randomId('', 5).replace(/./g, (ch) => (Math.random() < 0.5 ? ch.toLowerCase() : ch));
  return blocksIn.map((b: Json) => {
    if (!b || typeof b !== 'object') return b;
    const nb: Json = { ...b };
    if (nb.block_id === undefined) nb.block_id = rid();
    const fix = (el: Json) =>
      el && typeof el === 'object' && el.type !== 'image' && !['plain_text', 'mrkdwn'].includes(el.type) && el.action_id === undefined
        ? { ...el, action_id: rid() }
        : el;
    if (nb.element) nb.element = fix(nb.element);
    if (nb.accessory) nb.accessory = fix(nb.accessory);
    if (nb.type === 'actions' && Array.isArray(nb.elements)) nb.elements = nb.elements.map(fix);
    return nb;
  });
}
