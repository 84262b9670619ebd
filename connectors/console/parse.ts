/**
 * Console HTML → rows → NormalizedApplicant. Pure functions on the page HTML (the browser hands
 * over `page.content()`), so they are unit-tested on saved pages. Anything unexpected is a
 * ServiceError('layout_changed'), never a silent skip.
 */
import { ServiceError, type NormalizedApplicant } from '../types';
import { zodIssueSummary } from '../errors';
import type { ConsoleConfig } from './config';
import { consoleRowSchema, normalizedApplicantSchema, type ConsoleRow } from './schema';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

export function textOf(html: string): string {
  return decodeEntities(html.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function firstHref(html: string): string | null {
  const m = html.match(/<a\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : null;
}

export interface RawTable {
  headers: string[];
  rows: { text: string[]; href: (string | null)[] }[];
}

/** The first <table> whose class list contains `tableClass`, or null. */
export function extractTable(html: string, tableClass: string): RawTable | null {
  const re = /<table\b([^>]*)>([\s\S]*?)<\/table>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    const cls = m[1].match(/\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
    const classes = (cls?.[1] ?? cls?.[2] ?? '').split(/\s+/);
    if (!classes.includes(tableClass)) continue;
    const inner = m[2];
    const headers = [...inner.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/gi)].map((h) => textOf(h[1]));
    const body = inner.match(/<tbody\b[^>]*>([\s\S]*?)<\/tbody>/i)?.[1] ?? inner;
    const rows = [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/gi)]
      .map((r) => [...r[1].matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/gi)].map((c) => c[1]))
      .filter((cells) => cells.length > 0)
      .map((cells) => ({ text: cells.map(textOf), href: cells.map(firstHref) }));
    return { headers, rows };
  }
  return null;
}

/** href of the 「次へ」 pager link, or null on the last page. */
export function findNextHref(html: string): string | null {
  for (const a of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    if (textOf(a[2]) !== '次へ') continue;
    const h = a[1].match(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
    if (h) return decodeEntities(h[1] ?? h[2] ?? '');
  }
  return null;
}

/** "2026/11/20 14:03" in the console's zone → ISO UTC. */
export function parseConsoleTime(text: string, utcOffsetMinutes: number): string {
  const m = text.match(/^(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/);
  if (!m) throw new ServiceError('layout_changed', `unreadable 応募日時 "${text.slice(0, 40)}"`);
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0) - utcOffsetMinutes * 60_000;
  if (Number.isNaN(ms)) throw new ServiceError('layout_changed', `unreadable 応募日時 "${text.slice(0, 40)}"`);
  return new Date(ms).toISOString();
}

export interface ParsedListPage {
  applicants: NormalizedApplicant[];
  nextHref: string | null;
  /** Total shown in 「全N件」, when present. */
  total: number | null;
}

/** Reads one list page. Throws ServiceError('layout_changed') when the table is not what we expect. */
export function parseListPage(html: string, config: ConsoleConfig, pageUrl: string): ParsedListPage {
  const table = extractTable(html, config.tableClass);
  if (!table) throw new ServiceError('layout_changed', `${config.label}: applicant table (.${config.tableClass}) not found`);
  const col = (header: string) => table.headers.indexOf(header);
  const idx = {
    appliedAt: col(config.headers.appliedAt),
    name: col(config.headers.name),
    age: config.headers.age ? col(config.headers.age) : -1,
    postingTitle: col(config.headers.postingTitle),
  };
  const missing = [
    idx.appliedAt < 0 && config.headers.appliedAt,
    idx.name < 0 && config.headers.name,
    config.headers.age && idx.age < 0 && config.headers.age,
    idx.postingTitle < 0 && config.headers.postingTitle,
  ].filter(Boolean);
  if (missing.length)
    throw new ServiceError('layout_changed', `${config.label}: column(s) ${missing.join(', ')} not found in the applicant table`);

  const applicants: NormalizedApplicant[] = [];
  table.rows.forEach((r, i) => {
    if (r.text.length !== table.headers.length)
      throw new ServiceError(
        'layout_changed',
        `${config.label}: row ${i + 1} has ${r.text.length} cells, header has ${table.headers.length}`,
      );
    const raw: ConsoleRow = {
      appliedAtText: r.text[idx.appliedAt],
      name: r.text[idx.name],
      ageText: idx.age >= 0 ? r.text[idx.age] : null,
      applicantHref: r.href[idx.name] ?? '',
      postingHref: r.href[idx.postingTitle] ?? '',
      postingTitle: r.text[idx.postingTitle],
    };
    applicants.push(rowToApplicant(raw, config, pageUrl, i + 1));
  });
  const total = html.match(/全\s*([\d,]+)\s*件/);
  return { applicants, nextHref: findNextHref(html), total: total ? Number(total[1].replace(/,/g, '')) : null };
}

export function rowToApplicant(raw: ConsoleRow, config: ConsoleConfig, pageUrl: string, rowNo = 0): NormalizedApplicant {
  const r = consoleRowSchema.safeParse(raw);
  if (!r.success) throw new ServiceError('layout_changed', `${config.label}: row ${rowNo} unreadable: ${zodIssueSummary(r.error.issues)}`);
  const row = r.data;
  const pageOrigin = new URL(pageUrl).origin;
  const profileUrl = new URL(row.applicantHref, pageUrl);
  const postingUrl = new URL(row.postingHref, pageUrl);
  // The profile link is shown in Slack as the applicant's page on the medium: never another site.
  if (profileUrl.origin !== pageOrigin)
    throw new ServiceError('layout_changed', `${config.label}: row ${rowNo}: applicant link points to another origin`);
  if (postingUrl.origin !== pageOrigin)
    throw new ServiceError('layout_changed', `${config.label}: row ${rowNo}: posting link points to another origin`);
  const idMatch = profileUrl.pathname.match(config.applicantPath);
  const postingMatch = postingUrl.pathname.match(config.postingPath);
  if (!idMatch) throw new ServiceError('layout_changed', `${config.label}: row ${rowNo}: applicant link is not a detail page`);
  if (!postingMatch) throw new ServiceError('layout_changed', `${config.label}: row ${rowNo}: posting link not recognised`);
  const ageDigits = row.ageText?.match(/\d+/)?.[0];
  const applicant: NormalizedApplicant = {
    externalId: decodeURIComponent(idMatch[1]),
    name: row.name,
    ...(ageDigits ? { age: Number(ageDigits) } : {}),
    postingId: decodeURIComponent(postingMatch[1]),
    postingTitle: row.postingTitle,
    appliedAt: parseConsoleTime(row.appliedAtText, config.utcOffsetMinutes),
    profileUrl: `${profileUrl.origin}${profileUrl.pathname}`,
    isMeetup: false,
  };
  const check = normalizedApplicantSchema.safeParse(applicant);
  if (!check.success) throw new ServiceError('layout_changed', `${config.label}: row ${rowNo}: ${zodIssueSummary(check.error.issues)}`);
  return check.data; // strings cut to TEXT_LIMITS
}

export type ConsolePageKind =
  | 'list'
  | 'login'
  | 'login_failed'
  | 'locked'
  | 'otp'
  | 'captcha'
  | 'forbidden'
  | 'password_change'
  | 'maintenance'
  | 'unknown';

/**
 * The page's "signal" text: <title>, headings and error/alert boxes — not the table body, so an
 * applicant or posting named e.g. 「…メンテナンス中途採用」 cannot be mistaken for a status page.
 */
export function signalText(html: string): string {
  const parts: string[] = [];
  for (const m of html.matchAll(/<(title|h1|h2)\b[^>]*>([\s\S]*?)<\/\1>/gi)) parts.push(textOf(m[2]));
  for (const m of html.matchAll(/<(p|div|span|section)\b([^>]*)>([\s\S]*?)<\/\1>/gi)) {
    if (/\brole\s*=\s*["']alert["']|\bclass\s*=\s*["'][^"']*\b(error|alert|flash|notice)\b/i.test(m[2])) parts.push(textOf(m[3]));
  }
  return parts.join(' | ');
}

/** What a console page is, from its URL and its title/headings/alerts (after login and on every navigation). */
export function classifyPage(html: string, url: string, config: ConsoleConfig): ConsolePageKind {
  const path = new URL(url).pathname;
  const signal = signalText(html);
  const onLogin = path === config.loginPath || path.startsWith(`${config.loginPath}/`);
  if (/メンテナンス/.test(signal)) return 'maintenance';
  if (/アカウントがロックされています|アカウントはロックされています|ロック中/.test(signal)) return 'locked';
  if (path.endsWith('/otp') || /二段階認証|2段階認証|認証コード/.test(signal) || (onLogin && /<label\b[^>]*>[^<]*認証コード/.test(html)))
    return 'otp';
  if (onLogin && /g-recaptcha|h-captcha|captcha|画像認証/i.test(html)) return 'captcha';
  if (onLogin && /正しくありません/.test(signal)) return 'login_failed';
  if (onLogin) return 'login';
  if (/権限がありません/.test(signal)) return 'forbidden';
  if (/パスワードの変更が必要|パスワードを変更してください/.test(signal) || path.startsWith('/password/change')) return 'password_change';
  if (path === config.listPath || path.startsWith(`${config.listPath}/`)) return 'list';
  return 'unknown';
}
