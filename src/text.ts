/** Text helpers every layer uses (a leaf: it imports nothing of the app). */
import { DateTime } from 'luxon';
import { z } from 'zod';

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

/**
 * THE text boundary (docs/architecture.md, "Text"): a value is escaped for Slack exactly once, where
 * it enters mrkdwn: by the catalogue's interpolation (`t(key, { name })`) or, for a value a view puts
 * into mrkdwn itself, by views/blocks.ts esc(). What `t` returns is already mrkdwn: never escape it
 * again. plain_text (headers, buttons, options, inputs' initial values, field errors) shows its text
 * verbatim: values go in as they are (`t.plain`), never escaped. Slack's mrkdwn escapes only &, <
 * and > (which also stops `<!channel>`, `<@U…>` and links); `*`, `_`, `~` and backticks have no escape.
 */
export function escapeSlack(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---- Normalising what people type and what the media send --------------------------------------

/** C0 and C1 control characters (NUL, ESC, DEL, …), line breaks and tabs included. */
const CONTROL = /\p{Cc}/gu;
/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what follows. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
/** An emoji tag sequence (the flags of England, Scotland, Wales): its tag characters are kept. */
const TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
/**
 * Invisible format characters (Unicode category Cf: zero-width space, word joiner, BOM, soft hyphen,
 * bidi marks, interlinear annotations, tags outside a flag, …) other than the joiners ZWJ and ZWNJ.
 */
const FORMAT = /[^\P{Cf}\u200c\u200d]/gu;
/** ZWJ/ZWNJ mean something only between two visible characters (emoji sequences, Indic, Persian). */
const STRAY_JOINER = /(?<=^|\s)[\u200c\u200d]+|[\u200c\u200d]+(?=$|\s)/gu;
/** Line and paragraph separators, next line, and the other line breaks. */
const LINE_BREAKS = /\r\n?|[\n\v\f\u0085\u2028\u2029]/g;

const stripInvisible = (s: string): string => s.replace(BIDI, '').replace(FORMAT, '');

/** Bidi and format characters removed, a flag's tag characters kept; joiners only between characters. */
function stripFormat(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(TAG_SEQUENCE)) {
    out += stripInvisible(s.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  out += stripInvisible(s.slice(last));
  // removing may join a letter to its combining mark again: NFC once more
  return out.replace(STRAY_JOINER, '').normalize('NFC');
}

/**
 * A single-line value (a name, a label, a title, a pattern, a setting) as stored and shown: NFC;
 * line breaks and tabs become a space; every other control character, bidi override and invisible
 * format character removed; ZWJ/ZWNJ kept only between visible characters (👩‍💻 stays); runs of
 * spaces collapsed; trimmed. A name must also pass hasVisibleText (see cleanName).
 */
export function cleanLine(s: string): string {
  const flat = String(s).normalize('NFC').replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(CONTROL, '');
  return stripFormat(flat)
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/**
 * A multi-line value (a note, a description): as cleanLine, but line breaks (normalised to \n) and
 * tabs are kept; more than two blank lines in a row become two; each line's end trimmed.
 */
export function cleanMultiline(s: string): string {
  const lines = String(s)
    .normalize('NFC')
    .replace(LINE_BREAKS, '\n')
    .replace(/[^\P{Cc}\n\t]/gu, '');
  return stripFormat(lines)
    .replace(/[^\S\n\t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Does the text show anything? Not when it is only spaces, marks, format characters or the blank
 * "letters" used to fake an empty name (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, braille blank
 * U+2800).
 */
export function hasVisibleText(s: string): boolean {
  return /[^\s\p{Z}\p{M}\p{Cf}\p{Cc}\u115f\u1160\u3164\uffa0\u2800]/u.test(s);
}

/** A name's outcome: the clean name, or why it is refused (`empty`: nothing visible was typed). */
export type CleanName = { ok: true; value: string } | { ok: false; reason: 'empty' | 'tooLong'; max?: number };

/** cleanLine, then refused when nothing visible is left, or longer than `max` (UTF-16 units). */
export function cleanName(s: string, max: number): CleanName {
  const value = cleanLine(s);
  if (!hasVisibleText(value)) return { ok: false, reason: 'empty' };
  if (value.length > max) return { ok: false, reason: 'tooLong', max };
  return { ok: true, value };
}

/** A zod string cleaned with cleanLine (for values the media send: never refused, only cleaned). */
export const cleanLineSchema = z.string().transform(cleanLine);

// ---- Slack ids ----------------------------------------------------------------------------------

/**
 * Slack's ids: an upper-case letter for the kind, then upper-case letters and digits. Today's ids are
 * 9 to 11 characters; Slack says they may grow, so up to 21 are accepted, and never more: a channel
 * id of 10,000 characters is refused, not stored.
 */
const slackId = (kinds: string) => z.string().regex(new RegExp(`^[${kinds}][A-Z0-9]{2,20}$`));
/** A conversation: public (C), private (G, older) or a DM (D). */
export const channelIdSchema = slackId('CGD');
/** A channel a job posts cards in (no DM). */
export const jobChannelIdSchema = slackId('CG');
/** A user (U) or an Enterprise Grid user (W). */
export const userIdSchema = slackId('UW');
/** A workspace (T) or an Enterprise Grid org (E). */
export const teamIdSchema = slackId('TE');
/** A view (modal, App Home). */
export const viewIdSchema = slackId('V');

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
