/**
 * Wantedly Visit emulator: a JSON API authenticated with an API key issued in Wantedly Visit
 * (`Authorization: Bearer <key>` or `X-Api-Key`). The real API is unpublished; this is the shape
 * hire-relay's connector assumes (docs/architecture.md, "Connectors").
 *
 *   GET /v1/projects                     → { data: [{ id, title, status }] }
 *   GET /v1/entries?cursor&limit&created_since
 *                                        → { data: [entry…], next_cursor, has_more }
 *       oldest first (created_at, then id); limit ≤ 100 (larger values are capped);
 *       next_cursor points just after the last returned entry (echoes the given cursor when
 *       nothing was returned), so a client can keep it and poll for newer entries.
 *   401 unknown key, 403 revoked key / role lacking, 429 + Retry-After, 5xx on injected faults.
 *   GET /enterprise/tickets/:id          → the entry's page (the ticket URL kept as profile link)
 * Control API (test only) under /__admin/… and as methods on the returned object.
 */
import type http from 'node:http';
import {
  FaultBox,
  type EmulatorOptions,
  type FaultSpec,
  commonAdmin,
  esc,
  listen,
  readJson,
  sendHtml,
  sendJson,
  sleep,
} from '../media-console/http';
import { ChaosSwitch, type ChaosKind, type ChaosOptions } from '../chaos';
import { POSTING_TITLES, person, prng, timeline } from '../media-console/generate';

export type WantedlyEntryKind = 'meetup' | 'application' | 'scout_reply';
export type WantedlyEntryStatus = '未対応' | '対応中' | '対応済み';

export interface WantedlyUser {
  name: string;
  name_romaji: string;
  gender?: 'male' | 'female';
  introduction: string;
  future_goal: string;
  educations: { school: string; faculty: string; graduated_year: number }[];
  careers: { company: string; title: string; from: string; to: string | null }[];
  languages: { name: string; level: string }[];
  social_links: { service: string; url: string }[];
  profile_url: string;
}

export interface WantedlyEntry {
  id: number;
  project_id: number;
  project_title: string;
  kind: WantedlyEntryKind;
  interest_level?: 'want_to_work_now' | 'want_to_hear' | 'a_little_interested';
  status: WantedlyEntryStatus;
  created_at: string;
  ticket_url: string;
  user: WantedlyUser;
}

export interface WantedlyEntrySeed {
  id?: number;
  project_id: number;
  project_title: string;
  kind: WantedlyEntryKind;
  created_at: string;
  status?: WantedlyEntryStatus;
  interest_level?: WantedlyEntry['interest_level'];
  user: Partial<WantedlyUser> & { name: string };
}

export interface WantedlyAccountInput {
  apiKey: string;
  companyName?: string;
  /** 管理者/担当 reach the entries; メンバー does not (→ 403 insufficient_role). */
  role?: 'admin' | 'staff' | 'member';
  revoked?: boolean;
}

interface Account {
  apiKey: string;
  companyName: string;
  role: 'admin' | 'staff' | 'member';
  revoked: boolean;
  entries: WantedlyEntry[];
  projects: Map<number, { id: number; title: string; status: 'published' | 'draft' | 'closed' }>;
  window: { start: number; count: number };
}

export interface GenerateEntriesOptions {
  count: number;
  seed?: number;
  start?: string;
  stepMs?: number;
  tieEvery?: number;
  /** Share of 「話を聞きに行きたい」 meetup entries (default 0.6: most Wantedly entries are meetups). */
  meetupRatio?: number;
}

export interface WantedlyCounters {
  requests: number;
  entriesRequests: number;
  projectsRequests: number;
  unauthorized: number;
  rateLimited: number;
}

export interface WantedlyEmulator {
  url: string;
  close(): Promise<void>;
  addAccount(input: WantedlyAccountInput): void;
  updateAccount(apiKey: string, patch: Partial<Omit<WantedlyAccountInput, 'apiKey'>>): void;
  seedEntries(apiKey: string, entries: WantedlyEntrySeed[]): WantedlyEntry[];
  generateEntries(apiKey: string, opts: GenerateEntriesOptions): WantedlyEntry[];
  entries(apiKey: string): WantedlyEntry[];
  /** Every API key an account was added with (the credentials this emulator knows). */
  apiKeys(): string[];
  /** Requests per minute per key before 429 (0 = unlimited). Default 60. */
  setRateLimit(perMinute: number, retryAfterSec?: number): void;
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** A seeded random fault plan (emulators/chaos.ts), or null to stop; also POST /__admin/chaos. */
  setChaos(opts: ChaosOptions | null): void;
  chaosCounts(): Record<ChaosKind, number> | null;
  counters(): WantedlyCounters;
  reset(): void;
}

const PROJECT_BASE = 40_000;

export async function startWantedlyEmulator(opts: EmulatorOptions = {}): Promise<WantedlyEmulator> {
  const accounts = new Map<string, Account>();
  const faults = new FaultBox();
  const chaos = new ChaosSwitch(opts.chaos);
  let nextEntryId = 100_001;
  let rate = { perMinute: 60, retryAfterSec: 30 };
  let counters: WantedlyCounters = { requests: 0, entriesRequests: 0, projectsRequests: 0, unauthorized: 0, rateLimited: 0 };
  let baseUrl = '';

  const account = (apiKey: string): Account => {
    const a = accounts.get(apiKey);
    if (!a) throw new Error(`wantedly emulator: no account for that api key`);
    return a;
  };

  const addAccount = (input: WantedlyAccountInput) => {
    accounts.set(input.apiKey, {
      apiKey: input.apiKey,
      companyName: input.companyName ?? '株式会社ネクストリンク',
      role: input.role ?? 'admin',
      revoked: input.revoked ?? false,
      entries: [],
      projects: new Map(),
      window: { start: 0, count: 0 },
    });
  };

  const updateAccount = (apiKey: string, patch: Partial<Omit<WantedlyAccountInput, 'apiKey'>>) => {
    const a = account(apiKey);
    if (patch.companyName !== undefined) a.companyName = patch.companyName;
    if (patch.role !== undefined) a.role = patch.role;
    if (patch.revoked !== undefined) a.revoked = patch.revoked;
  };

  const sortEntries = (xs: WantedlyEntry[]) =>
    xs.sort((x, y) => (x.created_at < y.created_at ? -1 : x.created_at > y.created_at ? 1 : x.id - y.id));

  const seedEntries = (apiKey: string, seeds: WantedlyEntrySeed[]): WantedlyEntry[] => {
    const a = account(apiKey);
    const out: WantedlyEntry[] = [];
    for (const s of seeds) {
      const id = s.id ?? nextEntryId++;
      if (s.id !== undefined && s.id >= nextEntryId) nextEntryId = s.id + 1;
      const e: WantedlyEntry = {
        id,
        project_id: s.project_id,
        project_title: s.project_title,
        kind: s.kind,
        ...(s.interest_level ? { interest_level: s.interest_level } : {}),
        status: s.status ?? '未対応',
        created_at: new Date(s.created_at).toISOString(),
        ticket_url: `${baseUrl}/enterprise/tickets/${id}`,
        user: {
          name: s.user.name,
          name_romaji: s.user.name_romaji ?? '',
          ...(s.user.gender ? { gender: s.user.gender } : {}),
          introduction: s.user.introduction ?? '',
          future_goal: s.user.future_goal ?? '',
          educations: s.user.educations ?? [],
          careers: s.user.careers ?? [],
          languages: s.user.languages ?? [],
          social_links: s.user.social_links ?? [],
          profile_url: s.user.profile_url ?? `https://www.wantedly.com/id/user_${id}`,
        },
      };
      a.entries.push(e);
      if (!a.projects.has(e.project_id)) a.projects.set(e.project_id, { id: e.project_id, title: e.project_title, status: 'published' });
      out.push(e);
    }
    sortEntries(a.entries);
    return out;
  };

  const generateEntries = (apiKey: string, o: GenerateEntriesOptions): WantedlyEntry[] => {
    const rng = prng(o.seed ?? 1);
    const times = timeline(o.count, { start: o.start, stepMs: o.stepMs ?? 37_000, tieEvery: o.tieEvery });
    const meetupRatio = o.meetupRatio ?? 0.6;
    const seeds: WantedlyEntrySeed[] = times.map((t, i) => {
      const p = person(rng, i);
      const pi = Math.floor(rng() * POSTING_TITLES.length);
      const r = rng();
      const kind: WantedlyEntryKind =
        r < meetupRatio ? 'meetup' : r < meetupRatio + (1 - meetupRatio) * 0.7 ? 'application' : 'scout_reply';
      return {
        project_id: PROJECT_BASE + pi,
        project_title: POSTING_TITLES[pi],
        kind,
        interest_level:
          kind === 'meetup'
            ? (['want_to_work_now', 'want_to_hear', 'a_little_interested'] as const)[rng() < 0.8 ? 1 : rng() < 0.5 ? 0 : 2]
            : undefined,
        status: (['未対応', '対応中', '対応済み'] as const)[Math.floor(rng() * 3)],
        created_at: t,
        user: {
          name: p.name,
          name_romaji: p.nameRomaji,
          gender: p.gender === '男性' ? 'male' : 'female',
          introduction: `${p.currentCompany}で${p.role}をしています。`,
          future_goal: 'プロダクトの成長に事業と技術の両面から関わりたい',
          educations: [{ school: p.school, faculty: p.faculty, graduated_year: p.graduationYear }],
          careers: [{ company: p.currentCompany, title: p.role, from: `${p.graduationYear}-04`, to: null }],
          languages: [
            { name: '日本語', level: 'ネイティブ' },
            { name: '英語', level: rng() < 0.5 ? 'ビジネス' : '日常会話' },
          ],
          social_links: [{ service: 'github', url: `https://github.com/${p.nameRomaji.split(' ')[0].toLowerCase()}${i}` }],
        },
      };
    });
    return seedEntries(apiKey, seeds);
  };

  const encodeCursor = (e: { created_at: string; id: number }) =>
    Buffer.from(JSON.stringify({ t: e.created_at, id: e.id })).toString('base64url');
  const decodeCursor = (s: string): { t: string; id: number } | null => {
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      if (typeof v?.t === 'string' && typeof v?.id === 'number') return v;
    } catch {
      /* fallthrough */
    }
    return null;
  };

  const apiError = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, { error: { code, message } }, headers);

  const admin = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // after __admin
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? {} : await readJson(req).catch(() => ({}));
    try {
      if (parts[0] === 'accounts' && parts.length === 1 && method === 'POST') {
        addAccount(body);
        return sendJson(res, 201, { ok: true });
      }
      if (parts[0] === 'accounts' && parts.length === 2 && method === 'PATCH') {
        updateAccount(decodeURIComponent(parts[1]), body);
        return sendJson(res, 200, { ok: true });
      }
      if (parts[0] === 'accounts' && parts[2] === 'entries') {
        const key = decodeURIComponent(parts[1]);
        if (method === 'GET') return sendJson(res, 200, { data: account(key).entries });
        const created = body.generate ? generateEntries(key, body.generate) : seedEntries(key, body.entries ?? []);
        return sendJson(res, 201, { data: created });
      }
      if (parts[0] === 'rate-limit' && method === 'POST') {
        rate = { perMinute: body.perMinute ?? 60, retryAfterSec: body.retryAfterSec ?? 30 };
        return sendJson(res, 200, { ok: true });
      }
      return commonAdmin(res, parts, method, body, { faults, counters: () => counters, reset, chaos });
    } catch (err) {
      return sendJson(res, 400, { error: { code: 'bad_request', message: (err as Error).message } });
    }
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (url.pathname.startsWith('/__admin/')) return admin(req, res, url);
    if (await chaos.intercept(req, res, url.pathname)) return;
    counters.requests++;

    const slow = faults.take(url.pathname, ['slow']);
    if (slow && slow.kind === 'slow') await sleep(slow.delayMs);
    if (faults.has('maintenance', url.pathname))
      return apiError(res, 503, 'maintenance', 'ただいまメンテナンス中です。しばらくしてから再度お試しください。', {
        'retry-after': '600',
      });
    const err = faults.take(url.pathname, ['error']);
    if (err && err.kind === 'error') return apiError(res, err.status ?? 500, 'internal_server_error', 'Internal Server Error');
    const rl = faults.take(url.pathname, ['rate_limit']);
    if (rl && rl.kind === 'rate_limit') {
      counters.rateLimited++;
      return apiError(res, 429, 'rate_limited', 'Too many requests', { 'retry-after': String(rl.retryAfterSec ?? 30) });
    }

    const ticket = url.pathname.match(/^\/enterprise\/tickets\/(\d+)$/);
    if (ticket) {
      const id = Number(ticket[1]);
      for (const a of accounts.values()) {
        const e = a.entries.find((x) => x.id === id);
        if (e)
          return sendHtml(
            res,
            200,
            `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${esc(e.user.name)} | Wantedly</title></head><body><h1>${esc(e.user.name)}</h1><p>${esc(e.project_title)}</p><p>${esc(e.status)}</p></body></html>`,
          );
      }
      return sendHtml(res, 404, '<!doctype html><title>Not Found</title><h1>ページが見つかりません</h1>');
    }

    if (!url.pathname.startsWith('/v1/')) return apiError(res, 404, 'not_found', 'Not Found');
    if (req.method !== 'GET') return apiError(res, 405, 'method_not_allowed', 'Method Not Allowed');

    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7).trim() : String(req.headers['x-api-key'] ?? '');
    const a = key ? accounts.get(key) : undefined;
    if (!a) {
      counters.unauthorized++;
      return apiError(res, 401, 'unauthorized', 'The API key is invalid.', { 'www-authenticate': 'Bearer realm="wantedly"' });
    }
    if (a.revoked) return apiError(res, 403, 'api_key_revoked', 'The API key has been revoked.');
    if (a.role === 'member')
      return apiError(res, 403, 'insufficient_role', 'The account that issued this key is not an admin or staff (管理者・担当).');

    if (rate.perMinute > 0) {
      const now = Date.now();
      if (now - a.window.start >= 60_000) a.window = { start: now, count: 0 };
      a.window.count++;
      if (a.window.count > rate.perMinute) {
        counters.rateLimited++;
        const wait = Math.max(1, Math.min(rate.retryAfterSec, Math.ceil((a.window.start + 60_000 - now) / 1000)));
        return apiError(res, 429, 'rate_limited', 'Too many requests', {
          'retry-after': String(wait),
          'x-ratelimit-limit': String(rate.perMinute),
          'x-ratelimit-remaining': '0',
        });
      }
    }

    const layoutChanged = faults.has('layout_changed', url.pathname);
    if (url.pathname === '/v1/projects') {
      counters.projectsRequests++;
      return sendJson(res, 200, { data: [...a.projects.values()] });
    }
    if (url.pathname === '/v1/entries') {
      counters.entriesRequests++;
      const rawLimit = url.searchParams.get('limit');
      let limit = rawLimit === null ? 20 : Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1) return apiError(res, 400, 'invalid_parameter', 'limit must be a positive integer');
      limit = Math.min(limit, 100);
      const cursorParam = url.searchParams.get('cursor');
      let after: { t: string; id: number } | null = null;
      if (cursorParam) {
        after = decodeCursor(cursorParam);
        if (!after) return apiError(res, 400, 'invalid_cursor', 'cursor is invalid');
      }
      const since = url.searchParams.get('created_since');
      const sinceIso = since ? new Date(since) : null;
      if (sinceIso && Number.isNaN(sinceIso.getTime())) return apiError(res, 400, 'invalid_parameter', 'created_since must be ISO 8601');
      const rest = a.entries.filter(
        (e) =>
          (!after || e.created_at > after.t || (e.created_at === after.t && e.id > after.id)) &&
          (!sinceIso || e.created_at >= sinceIso.toISOString()),
      );
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = last ? encodeCursor(last) : cursorParam || null;
      if (layoutChanged) {
        return sendJson(res, 200, {
          items: page.map((e) => ({ ...e, createdAt: e.created_at, created_at: undefined })),
          paging: { next: nextCursor },
        });
      }
      return sendJson(res, 200, { data: page, next_cursor: nextCursor, has_more: rest.length > page.length });
    }
    return apiError(res, 404, 'not_found', 'Not Found');
  };

  const reset = () => {
    accounts.clear();
    faults.clear();
    rate = { perMinute: 60, retryAfterSec: 30 };
    counters = { requests: 0, entriesRequests: 0, projectsRequests: 0, unauthorized: 0, rateLimited: 0 };
  };

  const l = await listen(handler, opts.port ?? 0, undefined, opts.onRequest);
  baseUrl = l.url;
  return {
    url: l.url,
    close: l.close,
    addAccount,
    updateAccount,
    seedEntries,
    generateEntries,
    entries: (k) => [...account(k).entries],
    apiKeys: () => [...accounts.keys()],
    setRateLimit: (perMinute, retryAfterSec = 30) => {
      rate = { perMinute, retryAfterSec };
    },
    injectFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    setChaos: (o) => chaos.set(o),
    chaosCounts: () => chaos.counts(),
    counters: () => ({ ...counters }),
    reset,
  };
}
