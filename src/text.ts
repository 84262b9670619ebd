/** Text helpers every layer uses (a leaf: it imports nothing of the app). */
import { DateTime } from 'luxon';

/** A user's search text as a literal inside a MongoDB $regex. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How names are compared: NFKC (full-width Ｂａｃｋｅｎｄ and half-width ﾊﾞｯｸｴﾝﾄﾞ become Backend and
 * バックエンド), lower case, whitespace runs (the ideographic space included) collapsed to one space,
 * trimmed. Mapping rules match posting titles with it; a job's `nameKey` is it (unique per team).
 */
export function normalizeName(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * What candidate search compares: normalizeName without any whitespace, so 山田太郎 finds 山田 太郎
 * and ヤマダ finds ﾔﾏﾀﾞ ﾊﾅｺ. Stored on each candidate as `searchKey`; a query goes through it too.
 */
export function searchKey(s: string): string {
  return normalizeName(s).replace(/\s+/g, '');
}

/** Slack's escaping of user text in mrkdwn and message text (only &, < and >). */
export function escapeSlack(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The reverse, for plain_text (which shows entities as they are). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `s` cut to at most `max` UTF-16 code units, never ending in half of a surrogate pair (an emoji). */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** A stored (UTC) time as the org reads it: in its zone (luxon, always an explicit zone). */
export function formatTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
}

export function formatMaybe(at: Date | null | undefined, zone: string): string | undefined {
  return at ? formatTime(at, zone) : undefined;
}
