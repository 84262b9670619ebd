/**
 * Posting → job precedence, table-driven: a posting's own choice beats any rule; among the rules of
 * the posting's medium, exact beats contains, then the longest pattern, then the oldest rule.
 * Matching ignores case, width (NFKC) and spacing.
 */
import { describe, expect, it } from 'vitest';
import { bestRule, effectiveJob, normalizeTitle, type RuleLike } from '../../src/domain/mapping-rules';
import type { Medium } from '../../src/vocabulary';

const at = (n: number) => new Date(Date.UTC(2026, 0, n));
const rule = (medium: Medium, match: 'exact' | 'contains', pattern: string, jobId: string, day = 1): RuleLike<string> => ({
  medium,
  match,
  pattern,
  jobId,
  createdAt: at(day),
});

interface Case {
  name: string;
  posting: { medium: Medium; title: string; jobId: string | null };
  rules: RuleLike<string>[];
  want: { jobId: string | null; source: 'posting' | 'rule' | null };
}

const cases: Case[] = [
  {
    name: 'no rule, no choice → unmapped',
    posting: { medium: 'wantedly', title: 'Backend Engineer', jobId: null },
    rules: [],
    want: { jobId: null, source: null },
  },
  {
    name: 'a posting choice beats an exact rule',
    posting: { medium: 'wantedly', title: 'Backend Engineer', jobId: 'chosen' },
    rules: [rule('wantedly', 'exact', 'Backend Engineer', 'exact')],
    want: { jobId: 'chosen', source: 'posting' },
  },
  {
    name: 'exact beats contains even when contains is longer',
    posting: { medium: 'wantedly', title: 'Backend Engineer', jobId: null },
    rules: [rule('wantedly', 'contains', 'Backend Engineer', 'contains-long'), rule('wantedly', 'exact', 'backend engineer', 'exact')],
    want: { jobId: 'exact', source: 'rule' },
  },
  {
    name: 'among contains rules the longest pattern wins',
    posting: { medium: 'green', title: 'Senior Backend Engineer (Tokyo)', jobId: null },
    rules: [
      rule('green', 'contains', 'Engineer', 'short'),
      rule('green', 'contains', 'Backend Engineer', 'long'),
      rule('green', 'contains', 'Backend', 'mid'),
    ],
    want: { jobId: 'long', source: 'rule' },
  },
  {
    name: 'equal length: the oldest rule wins',
    posting: { medium: 'green', title: 'Data Scientist', jobId: null },
    rules: [rule('green', 'contains', 'Scientist', 'newer', 5), rule('green', 'contains', 'Scientist', 'older', 2)],
    want: { jobId: 'older', source: 'rule' },
  },
  {
    name: 'rules of another medium never apply',
    posting: { medium: 'bizreach', title: 'Backend Engineer', jobId: null },
    rules: [rule('wantedly', 'exact', 'Backend Engineer', 'wantedly-job')],
    want: { jobId: null, source: null },
  },
  {
    name: 'exact does not match a longer title',
    posting: { medium: 'findy', title: 'Backend Engineer (Osaka)', jobId: null },
    rules: [rule('findy', 'exact', 'Backend Engineer', 'exact')],
    want: { jobId: null, source: null },
  },
  {
    name: 'full-width, case and spacing differences still match',
    posting: { medium: 'paiza', title: 'ＢＡＣＫＥＮＤ　 Engineer', jobId: null },
    rules: [rule('paiza', 'exact', 'backend engineer', 'norm')],
    want: { jobId: 'norm', source: 'rule' },
  },
  {
    name: 'Japanese contains',
    posting: { medium: 'openwork', title: '【東京】バックエンドエンジニア（Go）', jobId: null },
    rules: [rule('openwork', 'contains', 'エンジニア', 'eng'), rule('openwork', 'contains', 'バックエンドエンジニア', 'backend')],
    want: { jobId: 'backend', source: 'rule' },
  },
  {
    name: 'an empty pattern never matches',
    posting: { medium: 'wantedly', title: 'Anything', jobId: null },
    rules: [rule('wantedly', 'contains', '   ', 'empty')],
    want: { jobId: null, source: null },
  },
  {
    name: 'two exact rules of equal length → the oldest',
    posting: { medium: 'wantedly', title: 'PM', jobId: null },
    rules: [rule('wantedly', 'exact', 'PM', 'new', 9), rule('wantedly', 'exact', 'pm', 'old', 1)],
    want: { jobId: 'old', source: 'rule' },
  },
];

describe('effectiveJob precedence', () => {
  it.each(cases)('$name', ({ posting, rules, want }) => {
    const got = effectiveJob<string, RuleLike<string>>(posting, rules);
    expect({ jobId: got.jobId, source: got.source }).toEqual(want);
  });

  it('is independent of the order the rules come in', () => {
    for (const c of cases) {
      const fwd = bestRule<string, RuleLike<string>>(c.posting.medium, c.posting.title, c.rules)?.jobId ?? null;
      const rev = bestRule<string, RuleLike<string>>(c.posting.medium, c.posting.title, [...c.rules].reverse())?.jobId ?? null;
      expect(rev).toBe(fwd);
    }
  });

  it('normalizes titles', () => {
    expect(normalizeTitle('  Ｂａｃｋｅｎｄ\u3000 ENGINEER ')).toBe('backend engineer');
  });
});
