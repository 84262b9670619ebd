/**
 * Posting → job precedence, pure: a posting's own choice beats any rule; among rules of its medium,
 * an exact name match beats a "contains" match, then the longest pattern wins, then the oldest rule.
 * Matching ignores case and surrounding/inner whitespace differences (NFKC-normalized), since
 * media titles often differ only by full-width characters or spacing.
 */
import type { Medium } from '../vocabulary';
import { normalizeName } from '../text';

export interface RuleLike<J = string> {
  medium: Medium;
  pattern: string;
  match: 'exact' | 'contains';
  jobId: J;
  createdAt: Date;
}

/** NFKC, lower case, whitespace collapsed, trimmed (shared with job names: src/text.ts). */
export function normalizeTitle(s: string): string {
  return normalizeName(s);
}

export function bestRule<J, R extends RuleLike<J>>(medium: Medium, title: string, rules: R[]): R | null {
  const t = normalizeTitle(title);
  let best: R | null = null;
  const rank = (r: R) => [r.match === 'exact' ? 1 : 0, normalizeTitle(r.pattern).length, -r.createdAt.getTime()];
  for (const r of rules) {
    if (r.medium !== medium) continue;
    const p = normalizeTitle(r.pattern);
    if (!p) continue;
    const hit = r.match === 'exact' ? t === p : t.includes(p);
    if (!hit) continue;
    if (!best) {
      best = r;
      continue;
    }
    const [a, b] = [rank(r), rank(best)];
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = r;
  }
  return best;
}

export function effectiveJob<J, R extends RuleLike<J>>(
  posting: { medium: Medium; title: string; jobId: J | null },
  rules: R[],
): { jobId: J | null; source: 'posting' | 'rule' | null; rule?: R } {
  if (posting.jobId !== null && posting.jobId !== undefined) return { jobId: posting.jobId, source: 'posting' };
  const rule = bestRule<J, R>(posting.medium, posting.title, rules);
  return rule ? { jobId: rule.jobId, source: 'rule', rule } : { jobId: null, source: null };
}
