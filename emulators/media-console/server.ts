/**
 * One small employer-console web app, parameterised per medium (BizReach, Green, Findy, paiza,
 * OpenWork). Server-rendered HTML with Japanese labels, the way a Playwright importer sees it:
 *
 *   GET  /login            form (hidden csrf_token, per-medium login field + パスワード)
 *   POST /login            302 + Set-Cookie: session=…; HttpOnly → /applicants
 *                          bad CSRF → 403; wrong password → login page with
 *                          「<field>またはパスワードが正しくありません」; locked (after N failures or set)
 *                          → 「アカウントがロックされています」; captcha → 画像認証 page; otp → /login/otp
 *   GET/POST /login/otp    認証コード step (code readable via the control API)
 *   GET  /applicants       20 per page, 「次へ」 link; ?sort=applied_desc|applied_asc&from=<ISO>&to=<ISO>&page=N
 *                          (default newest first, as consoles do); role 'none' → 403 「権限がありません」
 *   GET  /applicants/<id>  detail page (its URL is the applicant's permalink)
 *   GET  /logout
 * Idle sessions expire (redirect to /login). Control API under /__admin/… (JSON) mirrors the
 * methods on the returned object.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import {
  FaultBox,
  commonAdmin,
  type EmulatorOptions,
  type FaultSpec,
  esc,
  listen,
  parseCookies,
  readForm,
  readJson,
  redirect,
  sendHtml,
  sendJson,
  sleep,
} from './http';
import { ChaosSwitch, type ChaosKind, type ChaosOptions } from '../chaos';
import { POSTING_TITLES, person, prng, timeline } from './generate';

export type ConsoleMedium = 'bizreach' | 'green' | 'findy' | 'paiza' | 'openwork';

export interface ConsoleApplicant {
  id: string;
  name: string;
  nameKana: string;
  /** Absent for Findy (it never shows age). */
  age?: number;
  gender: '男性' | '女性' | '回答しない';
  currentCompany: string;
  currentRole: string;
  desiredSalary: number; // 万円
  postingId: string;
  postingTitle: string;
  appliedAt: string; // ISO UTC
  kind: string; // 応募種別 (per medium)
  status: string; // ステータス
  address: string;
  phone: string;
  email: string;
  school: string;
  faculty: string;
  graduationYear: number;
  /** Medium flavour shown on list/detail (会員クラス, paizaランク, スキル偏差値, …). */
  extra: Record<string, string>;
}

export type ApplicantSeed = Partial<ConsoleApplicant> & Pick<ConsoleApplicant, 'name' | 'postingId' | 'postingTitle' | 'appliedAt'>;

export interface ColumnDef {
  header: string;
  /** Header used when the 'layout_changed' fault is active (renamed headers break parsers). */
  changedHeader?: string;
  cell(a: ConsoleApplicant, esc: (s: unknown) => string): string;
}

export interface ConsoleFlavor {
  medium: ConsoleMedium;
  serviceName: string; // ビズリーチ
  consoleTitle: string; // 採用管理画面 title
  listTitle: string; // 進捗管理 / 応募者一覧 …
  accent: string; // css colour
  loginField: { name: string; label: string; type: 'email' | 'text' };
  idPrefix: string; // applicant id prefix
  postingPrefix: string;
  showsAge: boolean;
  kinds: string[];
  statuses: string[];
  /** Extra flavour fields for a generated applicant. */
  extra(rng: () => number): Record<string, string>;
  /** Columns between 氏名 and the posting column (medium flavour). */
  flavourColumns: ColumnDef[];
  postingHeader: string; // 求人タイトル / ポジション名 / 求人名 …
  kindHeader: string; // 応募種別 / 応募経路
  detailExtras?: (a: ConsoleApplicant) => [string, string][];
}

export interface ConsoleAccountInput {
  login: string;
  password: string;
  companyName?: string;
  locked?: boolean;
  otpRequired?: boolean;
  captcha?: boolean;
  /** 'none' logs in but cannot see 応募者一覧 (→ 「権限がありません」). */
  role?: 'admin' | 'recruiter' | 'none';
  mustChangePassword?: boolean;
}

interface Account extends Required<Omit<ConsoleAccountInput, 'companyName'>> {
  companyName: string;
  failures: number;
  otpCode: string | null;
  applicants: ConsoleApplicant[];
}

interface Session {
  login: string;
  pendingOtp: boolean;
  lastSeen: number;
}

export interface GenerateOptions {
  count: number;
  seed?: number;
  start?: string;
  stepMs?: number;
  /** Every n-th applicant shares the previous one's 応募日時 (ties). */
  tieEvery?: number;
}

export interface ConsoleCounters {
  requests: number;
  logins: number;
  loginFailures: number;
  otpPrompts: number;
  listPages: number;
  detailPages: number;
  csrfRejected: number;
}

export interface ConsoleEmulator {
  medium: ConsoleMedium;
  url: string;
  close(): Promise<void>;
  addAccount(input: ConsoleAccountInput): void;
  updateAccount(login: string, patch: Partial<Omit<ConsoleAccountInput, 'login'>>): void;
  /** The current 認証コード for an account waiting at /login/otp (the "mailbox"). */
  otpCode(login: string): string | null;
  seedApplicants(login: string, applicants: ApplicantSeed[]): ConsoleApplicant[];
  generateApplicants(login: string, opts: GenerateOptions): ConsoleApplicant[];
  applicants(login: string): ConsoleApplicant[];
  /** Every account's login and password (the credentials this emulator knows). */
  logins(): { login: string; password: string }[];
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** A seeded random fault plan (emulators/chaos.ts), or null to stop; also POST /__admin/chaos. */
  setChaos(opts: ChaosOptions | null): void;
  chaosCounts(): Record<ChaosKind, number> | null;
  /** Drops every session (next request redirects to /login). */
  expireSessions(): void;
  setSessionIdleMs(ms: number): void;
  setLockAfterFailures(n: number): void;
  counters(): ConsoleCounters;
  reset(): void;
}

export const PAGE_SIZE = 20;

const JST_MS = 9 * 3600_000;
/** 2026/11/20 14:03 in Asia/Tokyo, as consoles display 応募日時. */
export function formatJst(iso: string): string {
  const d = new Date(Date.parse(iso) + JST_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

const sortAsc = (a: ConsoleApplicant, b: ConsoleApplicant) =>
  a.appliedAt < b.appliedAt ? -1 : a.appliedAt > b.appliedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export async function startConsoleEmulator(flavor: ConsoleFlavor, opts: EmulatorOptions = {}): Promise<ConsoleEmulator> {
  const accounts = new Map<string, Account>();
  const sessions = new Map<string, Session>();
  const csrfTokens = new Set<string>();
  const faults = new FaultBox();
  const chaos = new ChaosSwitch(opts.chaos);
  let sessionIdleMs = 30 * 60_000;
  let lockAfter = 5;
  let seq = 1;
  let counters: ConsoleCounters = {
    requests: 0,
    logins: 0,
    loginFailures: 0,
    otpPrompts: 0,
    listPages: 0,
    detailPages: 0,
    csrfRejected: 0,
  };

  const account = (login: string): Account => {
    const a = accounts.get(login);
    if (!a) throw new Error(`${flavor.medium} emulator: no such account`);
    return a;
  };

  const addAccount = (i: ConsoleAccountInput) => {
    accounts.set(i.login, {
      login: i.login,
      password: i.password,
      companyName: i.companyName ?? '株式会社ネクストリンク',
      locked: i.locked ?? false,
      otpRequired: i.otpRequired ?? false,
      captcha: i.captcha ?? false,
      role: i.role ?? 'admin',
      mustChangePassword: i.mustChangePassword ?? false,
      failures: 0,
      otpCode: null,
      applicants: [],
    });
  };

  const updateAccount = (login: string, patch: Partial<Omit<ConsoleAccountInput, 'login'>>) => {
    const a = account(login);
    Object.assign(a, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    if (patch.locked === false) a.failures = 0;
  };

  const seedApplicants = (login: string, seeds: ApplicantSeed[]): ConsoleApplicant[] => {
    const a = account(login);
    const rng = prng(seq * 7919);
    const out = seeds.map((s) => {
      const n = seq++;
      const p = person(rng, n);
      const app: ConsoleApplicant = {
        id: s.id ?? `${flavor.idPrefix}${String(n).padStart(7, '0')}`,
        name: s.name,
        nameKana: s.nameKana ?? p.nameKana,
        gender: s.gender ?? p.gender,
        currentCompany: s.currentCompany ?? p.currentCompany,
        currentRole: s.currentRole ?? p.role,
        desiredSalary: s.desiredSalary ?? p.desiredSalary,
        postingId: s.postingId,
        postingTitle: s.postingTitle,
        appliedAt: new Date(s.appliedAt).toISOString(),
        kind: s.kind ?? flavor.kinds[0],
        status: s.status ?? flavor.statuses[0],
        address: s.address ?? p.address,
        phone: s.phone ?? p.phone,
        email: s.email ?? p.email,
        school: s.school ?? p.school,
        faculty: s.faculty ?? p.faculty,
        graduationYear: s.graduationYear ?? p.graduationYear,
        extra: s.extra ?? flavor.extra(rng),
      };
      if (flavor.showsAge) app.age = s.age ?? p.age;
      return app;
    });
    a.applicants.push(...out);
    a.applicants.sort(sortAsc);
    return out;
  };

  const generateApplicants = (login: string, o: GenerateOptions): ConsoleApplicant[] => {
    const rng = prng(o.seed ?? 1);
    const times = timeline(o.count, { start: o.start, stepMs: o.stepMs ?? 60_000, tieEvery: o.tieEvery });
    const seeds: ApplicantSeed[] = times.map((t, i) => {
      const p = person(rng, i);
      const pi = Math.floor(rng() * POSTING_TITLES.length);
      return {
        name: p.name,
        nameKana: p.nameKana,
        age: p.age,
        gender: p.gender,
        currentCompany: p.currentCompany,
        currentRole: p.role,
        desiredSalary: p.desiredSalary,
        postingId: `${flavor.postingPrefix}${1001 + pi}`,
        postingTitle: POSTING_TITLES[pi],
        appliedAt: t,
        kind: flavor.kinds[Math.floor(rng() * flavor.kinds.length)],
        status: flavor.statuses[Math.floor(rng() * flavor.statuses.length)],
        address: p.address,
        phone: p.phone,
        email: p.email,
        school: p.school,
        faculty: p.faculty,
        graduationYear: p.graduationYear,
        extra: flavor.extra(rng),
      };
    });
    return seedApplicants(login, seeds);
  };

  // ---------- HTML ----------
  const page = (title: string, body: string, opts2: { loggedIn?: Account } = {}) => `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} | ${esc(flavor.serviceName)}</title>
<style>
body{font-family:"Hiragino Kaku Gothic ProN",Meiryo,sans-serif;margin:0;color:#222;background:#f6f7f9}
header.site-header{background:${flavor.accent};color:#fff;padding:10px 20px;display:flex;justify-content:space-between}
header.site-header a{color:#fff}
main{padding:20px;max-width:1200px;margin:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:6px 8px;font-size:13px;text-align:left}
th{background:#eef0f3}
.error{color:#c00;background:#fee;padding:8px;border:1px solid #fcc}
.pager a{margin:0 6px}
form.login{background:#fff;padding:24px;max-width:380px;margin:40px auto;border-radius:6px}
form.login label{display:block;margin-top:12px}
form.login input{width:100%;padding:6px}
</style></head><body>
<header class="site-header"><span class="brand">${esc(flavor.serviceName)} ${esc(flavor.consoleTitle)}</span>${
    opts2.loggedIn ? `<span>${esc(opts2.loggedIn.companyName)} <a href="/logout">ログアウト</a></span>` : ''
  }</header>
<main>${body}</main>
<footer><small>&copy; ${esc(flavor.serviceName)}</small></footer>
</body></html>`;

  const issueCsrf = () => {
    const t = crypto.randomBytes(16).toString('hex');
    csrfTokens.add(t);
    if (csrfTokens.size > 10_000) csrfTokens.delete(csrfTokens.values().next().value as string);
    return t;
  };

  const loginPage = (message?: string, opts2: { captcha?: boolean; login?: string } = {}) =>
    page(
      'ログイン',
      `<h1>${esc(flavor.serviceName)} 採用担当者ログイン</h1>
<form class="login" method="post" action="/login">
${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<input type="hidden" name="csrf_token" value="${issueCsrf()}">
<label for="login_id">${esc(flavor.loginField.label)}</label>
<input id="login_id" name="${esc(flavor.loginField.name)}" type="${flavor.loginField.type}" autocomplete="username" value="${esc(opts2.login ?? '')}" required>
<label for="password">パスワード</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
${
  opts2.captcha
    ? `<div class="g-recaptcha captcha-widget" data-sitekey="emulator"><p>画像認証: 「私はロボットではありません」にチェックしてください</p><iframe title="reCAPTCHA" src="about:blank"></iframe></div>`
    : ''
}
<button type="submit">ログイン</button>
</form>
<p><a href="/password/reset">パスワードをお忘れの方</a></p>`,
    );

  const otpPage = (message?: string) =>
    page(
      '二段階認証',
      `<h1>二段階認証</h1>
<form class="login" method="post" action="/login/otp">
<p>登録メールアドレスに送信された認証コードを入力してください。</p>
${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<input type="hidden" name="csrf_token" value="${issueCsrf()}">
<label for="otp">認証コード</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">認証する</button>
</form>`,
    );

  const lockedPage = () =>
    page(
      'ログイン',
      `<h1>ログインできません</h1><p class="error" role="alert">アカウントがロックされています。管理者にお問い合わせください。</p><p><a href="/login">ログイン画面へ</a></p>`,
    );

  const maintenancePage = () =>
    page(
      'メンテナンス中',
      `<h1>メンテナンス中</h1><p>現在システムメンテナンスを実施しております。ご不便をおかけしますが、しばらくお待ちください。</p>`,
    );

  const errorPage = (status: number) =>
    page('エラー', `<h1>${status} エラー</h1><p>システムエラーが発生しました。時間をおいて再度お試しください。</p>`);

  const columns = (changed: boolean): ColumnDef[] => {
    const cols: ColumnDef[] = [
      { header: '応募日時', changedHeader: 'エントリー日', cell: (a) => esc(formatJst(a.appliedAt)) },
      {
        header: '氏名',
        changedHeader: '候補者名',
        cell: (a) => `<a class="applicant-link" href="/applicants/${encodeURIComponent(a.id)}">${esc(a.name)}</a>`,
      },
    ];
    if (flavor.showsAge) cols.push({ header: '年齢', cell: (a) => (a.age === undefined ? '' : `${a.age}歳`) });
    cols.push({ header: '性別', cell: (a) => esc(a.gender) });
    cols.push(...flavor.flavourColumns);
    cols.push({ header: '現職', cell: (a) => esc(a.currentCompany) });
    cols.push({ header: '希望年収', cell: (a) => `${a.desiredSalary}万円` });
    cols.push({
      header: flavor.postingHeader,
      cell: (a) => `<a class="job-link" href="/jobs/${encodeURIComponent(a.postingId)}">${esc(a.postingTitle)}</a>`,
    });
    cols.push({ header: flavor.kindHeader, cell: (a) => esc(a.kind) });
    cols.push({ header: 'ステータス', cell: (a) => `<span class="status">${esc(a.status)}</span>` });
    return changed ? cols.map((c) => ({ ...c, header: c.changedHeader ?? c.header })) : cols;
  };

  const listPage = (acc: Account, url: URL, changed: boolean) => {
    const sort = url.searchParams.get('sort') === 'applied_asc' ? 'applied_asc' : 'applied_desc';
    const fromRaw = url.searchParams.get('from') ?? '';
    const toRaw = url.searchParams.get('to') ?? '';
    const from = fromRaw && !Number.isNaN(Date.parse(fromRaw)) ? new Date(fromRaw).toISOString() : null;
    const to = toRaw && !Number.isNaN(Date.parse(toRaw)) ? new Date(toRaw).toISOString() : null;
    let rows = acc.applicants.filter((a) => (!from || a.appliedAt >= from) && (!to || a.appliedAt <= to));
    if (sort === 'applied_desc') rows = [...rows].reverse();
    const total = rows.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const pageNo = Math.min(Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1), pages);
    const slice = rows.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
    const q = (p: number) => {
      const sp = new URLSearchParams();
      sp.set('sort', sort);
      if (fromRaw) sp.set('from', fromRaw);
      if (toRaw) sp.set('to', toRaw);
      sp.set('page', String(p));
      return `/applicants?${esc(sp.toString())}`;
    };
    const cols = columns(changed);
    const tableClass = changed ? 'entry-grid' : 'applicant-list';
    const body = `<h1>${esc(flavor.listTitle)}</h1>
<form class="search" method="get" action="/applicants">
<label>応募日（から） <input type="datetime-local" name="from" value="${esc(fromRaw)}"></label>
<label>応募日（まで） <input type="datetime-local" name="to" value="${esc(toRaw)}"></label>
<label>並び順 <select name="sort"><option value="applied_desc"${sort === 'applied_desc' ? ' selected' : ''}>応募日時が新しい順</option><option value="applied_asc"${sort === 'applied_asc' ? ' selected' : ''}>応募日時が古い順</option></select></label>
<button type="submit">検索</button>
</form>
<p class="result-count">全${total}件中 ${total === 0 ? 0 : (pageNo - 1) * PAGE_SIZE + 1}〜${(pageNo - 1) * PAGE_SIZE + slice.length}件を表示</p>
<table class="${tableClass}">
<thead><tr>${cols.map((c) => `<th>${esc(c.header)}</th>`).join('')}</tr></thead>
<tbody>
${slice.map((a) => `<tr data-row>${cols.map((c) => `<td>${c.cell(a, esc)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
${total === 0 ? '<p class="empty">該当する応募者はいません</p>' : ''}
<nav class="pager">${pageNo > 1 ? `<a rel="prev" href="${q(pageNo - 1)}">前へ</a>` : ''}<span>${pageNo} / ${pages}</span>${
      pageNo < pages ? `<a rel="next" href="${q(pageNo + 1)}">次へ</a>` : ''
    }</nav>`;
    return page(flavor.listTitle, body, { loggedIn: acc });
  };

  const detailPage = (acc: Account, a: ConsoleApplicant) => {
    const rows: [string, string][] = [
      ['会員番号', a.id],
      ['氏名', a.name],
      ['氏名(カナ)', a.nameKana],
      ...(flavor.showsAge && a.age !== undefined ? ([['年齢', `${a.age}歳`]] as [string, string][]) : []),
      ['性別', a.gender],
      ['住所', a.address],
      ['電話番号', a.phone],
      ['メールアドレス', a.email],
      ['最終学歴', `${a.school} ${a.faculty} ${a.graduationYear}年卒`],
      ['職務経歴', `${a.currentCompany} ${a.currentRole}（${a.graduationYear}年4月〜現在）`],
      ['希望年収', `${a.desiredSalary}万円`],
      ['求人ID', a.postingId],
      [flavor.postingHeader, a.postingTitle],
      [flavor.kindHeader, a.kind],
      ['ステータス', a.status],
      ['応募日時', formatJst(a.appliedAt)],
      ...Object.entries(a.extra),
      ...(flavor.detailExtras?.(a) ?? []),
    ];
    return page(
      `${a.name} さんの詳細`,
      `<p><a href="/applicants">← ${esc(flavor.listTitle)}へ戻る</a></p><h1>${esc(a.name)}</h1>
<dl class="applicant-detail">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
      { loggedIn: acc },
    );
  };

  // ---------- sessions ----------
  const newSession = (login: string, pendingOtp: boolean) => {
    const sid = crypto.randomBytes(24).toString('base64url');
    sessions.set(sid, { login, pendingOtp, lastSeen: Date.now() });
    return `session=${sid}; Path=/; HttpOnly; SameSite=Lax`;
  };
  const currentSession = (req: http.IncomingMessage): { sid: string; s: Session } | null => {
    const sid = parseCookies(req).session;
    if (!sid) return null;
    const s = sessions.get(sid);
    if (!s) return null;
    if (Date.now() - s.lastSeen > sessionIdleMs) {
      sessions.delete(sid);
      return null;
    }
    s.lastSeen = Date.now();
    return { sid, s };
  };

  const wrongMessage = `${flavor.loginField.label}またはパスワードが正しくありません`;

  // ---------- admin ----------
  const admin = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? {} : await readJson(req).catch(() => ({}));
    try {
      if (parts[0] === 'accounts' && parts.length === 1 && method === 'POST') {
        addAccount(body);
        return sendJson(res, 201, { ok: true });
      }
      if (parts[0] === 'accounts' && parts.length === 2 && method === 'PATCH') {
        updateAccount(parts[1], body);
        return sendJson(res, 200, { ok: true });
      }
      if (parts[0] === 'accounts' && parts[2] === 'otp') return sendJson(res, 200, { code: account(parts[1]).otpCode });
      if (parts[0] === 'accounts' && parts[2] === 'applicants') {
        if (method === 'GET') return sendJson(res, 200, { data: account(parts[1]).applicants });
        const created = body.generate ? generateApplicants(parts[1], body.generate) : seedApplicants(parts[1], body.applicants ?? []);
        return sendJson(res, 201, { data: created });
      }
      if (parts[0] === 'sessions' && parts[1] === 'expire' && method === 'POST') {
        sessions.clear();
        return sendJson(res, 200, { ok: true });
      }
      if (parts[0] === 'settings' && method === 'POST') {
        if (typeof body.sessionIdleMs === 'number') sessionIdleMs = body.sessionIdleMs;
        if (typeof body.lockAfterFailures === 'number') lockAfter = body.lockAfterFailures;
        return sendJson(res, 200, { ok: true });
      }
      return commonAdmin(res, parts, method, body, { faults, counters: () => counters, reset, chaos });
    } catch (err) {
      return sendJson(res, 400, { error: { code: 'bad_request', message: (err as Error).message } });
    }
  };

  // ---------- console ----------
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (url.pathname.startsWith('/__admin/')) return admin(req, res, url);
    if (await chaos.intercept(req, res, url.pathname)) return;
    counters.requests++;
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const slow = faults.take(path, ['slow']);
    if (slow && slow.kind === 'slow') await sleep(slow.delayMs);
    if (faults.has('maintenance', path)) return sendHtml(res, 503, maintenancePage(), { 'retry-after': '600' });
    const err = faults.take(path, ['error']);
    if (err && err.kind === 'error') return sendHtml(res, err.status ?? 500, errorPage(err.status ?? 500));
    const rl = faults.take(path, ['rate_limit']);
    if (rl && rl.kind === 'rate_limit')
      return sendHtml(
        res,
        429,
        page('アクセス制限', '<h1>アクセスが集中しています</h1><p>しばらく時間をおいてから再度アクセスしてください。</p>'),
        {
          'retry-after': String(rl.retryAfterSec ?? 60),
        },
      );

    if (path === '/' || path === '') return redirect(res, '/applicants');

    if (path === '/login' && method === 'GET') return sendHtml(res, 200, loginPage());
    if (path === '/login' && method === 'POST') {
      const form = await readForm(req);
      if (!form.csrf_token || !csrfTokens.delete(form.csrf_token)) {
        counters.csrfRejected++;
        return sendHtml(
          res,
          403,
          page(
            '不正なリクエスト',
            '<h1>403 Forbidden</h1><p class="error">不正なリクエストです。ページを再読み込みしてからもう一度お試しください。</p>',
          ),
        );
      }
      const login = (form[flavor.loginField.name] ?? '').trim();
      const acc = accounts.get(login);
      if (acc?.locked) {
        counters.loginFailures++;
        return sendHtml(res, 200, lockedPage());
      }
      if (acc?.captcha && !form['g-recaptcha-response']) {
        counters.loginFailures++;
        return sendHtml(res, 200, loginPage('画像認証を完了してください', { captcha: true, login }));
      }
      if (!acc || acc.password !== (form.password ?? '')) {
        counters.loginFailures++;
        if (acc) {
          acc.failures++;
          if (acc.failures >= lockAfter) {
            acc.locked = true;
            return sendHtml(res, 200, lockedPage());
          }
        }
        return sendHtml(res, 200, loginPage(wrongMessage, { login }));
      }
      acc.failures = 0;
      if (acc.otpRequired) {
        acc.otpCode = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
        counters.otpPrompts++;
        return redirect(res, '/login/otp', { 'set-cookie': newSession(login, true) });
      }
      counters.logins++;
      return redirect(res, acc.mustChangePassword ? '/password/change' : '/applicants', { 'set-cookie': newSession(login, false) });
    }
    if (path === '/login/otp') {
      const cur = currentSession(req);
      if (!cur?.s.pendingOtp) return redirect(res, '/login');
      if (method === 'GET') return sendHtml(res, 200, otpPage());
      const form = await readForm(req);
      if (!form.csrf_token || !csrfTokens.delete(form.csrf_token)) {
        counters.csrfRejected++;
        return sendHtml(res, 403, page('不正なリクエスト', '<h1>403 Forbidden</h1><p class="error">不正なリクエストです。</p>'));
      }
      const acc = account(cur.s.login);
      if (!acc.otpCode || form.otp !== acc.otpCode) return sendHtml(res, 200, otpPage('認証コードが正しくありません'));
      acc.otpCode = null;
      sessions.delete(cur.sid);
      counters.logins++;
      return redirect(res, '/applicants', { 'set-cookie': newSession(acc.login, false) });
    }
    if (path === '/logout') {
      const cur = currentSession(req);
      if (cur) sessions.delete(cur.sid);
      return redirect(res, '/login', { 'set-cookie': 'session=; Path=/; HttpOnly; Max-Age=0' });
    }
    if (path === '/password/reset')
      return sendHtml(res, 200, page('パスワード再設定', '<h1>パスワード再設定</h1><p>登録メールアドレスを入力してください。</p>'));

    // everything below needs a full session
    const cur = currentSession(req);
    if (cur && !cur.s.pendingOtp && faults.take(path, ['session_expired'])) sessions.delete(cur.sid);
    if (!cur || cur.s.pendingOtp || !sessions.has(cur.sid)) return redirect(res, `/login?next=${encodeURIComponent(path + url.search)}`);
    const acc = accounts.get(cur.s.login);
    if (!acc) return redirect(res, '/login');
    if (path === '/password/change')
      return sendHtml(
        res,
        200,
        page('パスワード変更', '<h1>パスワードの変更が必要です</h1><p>セキュリティのため、パスワードを変更してください。</p>', {
          loggedIn: acc,
        }),
      );
    const changed = faults.has('layout_changed', path);

    if (path === '/applicants') {
      if (acc.mustChangePassword) return redirect(res, '/password/change');
      if (acc.role === 'none')
        return sendHtml(
          res,
          403,
          page(
            '権限エラー',
            '<h1>権限がありません</h1><p class="error">このページを閲覧する権限がありません。管理者にお問い合わせください。</p>',
            { loggedIn: acc },
          ),
        );
      counters.listPages++;
      return sendHtml(res, 200, listPage(acc, url, changed));
    }
    const m = path.match(/^\/applicants\/([^/]+)$/);
    if (m) {
      if (acc.role === 'none') return sendHtml(res, 403, page('権限エラー', '<h1>権限がありません</h1>', { loggedIn: acc }));
      const id = decodeURIComponent(m[1]);
      const a = acc.applicants.find((x) => x.id === id);
      if (!a) return sendHtml(res, 404, page('見つかりません', '<h1>応募者が見つかりません</h1>', { loggedIn: acc }));
      counters.detailPages++;
      return sendHtml(res, 200, detailPage(acc, a));
    }
    const j = path.match(/^\/jobs\/([^/]+)$/);
    if (j) {
      const id = decodeURIComponent(j[1]);
      const a = acc.applicants.find((x) => x.postingId === id);
      if (!a) return sendHtml(res, 404, page('見つかりません', '<h1>求人が見つかりません</h1>', { loggedIn: acc }));
      return sendHtml(res, 200, page(a.postingTitle, `<h1>${esc(a.postingTitle)}</h1><p>求人ID: ${esc(id)}</p>`, { loggedIn: acc }));
    }
    return sendHtml(res, 404, page('見つかりません', '<h1>ページが見つかりません</h1>', { loggedIn: acc }));
  };

  const reset = () => {
    accounts.clear();
    sessions.clear();
    csrfTokens.clear();
    faults.clear();
    sessionIdleMs = 30 * 60_000;
    lockAfter = 5;
    counters = { requests: 0, logins: 0, loginFailures: 0, otpPrompts: 0, listPages: 0, detailPages: 0, csrfRejected: 0 };
  };

  const l = await listen(handler, opts.port ?? 0, undefined, opts.onRequest);
  return {
    medium: flavor.medium,
    url: l.url,
    close: l.close,
    addAccount,
    updateAccount,
    otpCode: (login) => account(login).otpCode,
    seedApplicants,
    generateApplicants,
    applicants: (login) => [...account(login).applicants],
    logins: () => [...accounts.values()].map((a) => ({ login: a.login, password: a.password })),
    injectFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    setChaos: (o) => chaos.set(o),
    chaosCounts: () => chaos.counts(),
    expireSessions: () => sessions.clear(),
    setSessionIdleMs: (ms) => {
      sessionIdleMs = ms;
    },
    setLockAfterFailures: (n) => {
      lockAfter = n;
    },
    counters: () => ({ ...counters }),
    reset,
  };
}
