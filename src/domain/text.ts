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
