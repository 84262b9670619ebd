/**
 * The ja/en catalogues: same leaf keys, no empty text, the same {{variables}} per key, and every
 * key the code builds at run time from an enum value (actions.<action>, roles.<role>, media.<m>…).
 */
import { describe, expect, it } from 'vitest';
import { ja, en, toLocale, translator } from '../../src/i18n';
import type { AuthError, ServiceError } from '../../connectors/types';
import { MEDIA } from '../../src/vocabulary';
import type { Action } from '../../src/domain/permissions';
import type { RunSummary } from '../../src/storage/types';
import type { AccountState, OrgRole } from '../../src/vocabulary';

type Tree = { [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const path = `${prefix}${k}`;
    if (typeof v === 'string') out.set(path, v);
    else if (v && typeof v === 'object') for (const [p, s] of leaves(v, `${path}.`)) out.set(p, s);
    else out.set(path, `<<not a string: ${typeof v}>>`);
  }
  return out;
}

const vars = (s: string) => [...s.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1]).sort();

const jaLeaves = leaves(ja as unknown as Tree);
const enLeaves = leaves(en as unknown as Tree);

// Exhaustive by type: adding an Action (or role, state…) without listing it here fails `tsc`.
const ACTIONS = {
  'accounts.manage': 1,
  'accounts.view': 1,
  'roles.manage': 1,
  'settings.manage': 1,
  'integrations.manage': 1,
  'jobs.create': 1,
  'jobs.edit': 1,
  'jobs.view': 1,
  'mapping.edit': 1,
  'mapping.view': 1,
  'candidates.view': 1,
  'candidates.comment': 1,
  'interviews.schedule': 1,
  'imports.notify': 1,
  'candidates.erase': 1,
  'audit.view': 1,
} satisfies Record<Action, 1>;
const ORG_ROLES = { org_admin: 1, standard: 1, limited: 1 } satisfies Record<OrgRole, 1>;
const DISPLAY_ROLES = ['org_admin', 'job_admin', 'job_member', 'limited', 'standard'] as const;
const ACCOUNT_STATES = { authenticating: 1, linked: 1, auth_failed: 1, system_error: 1 } satisfies Record<AccountState, 1>;
const OUTCOMES = { running: 1, success: 1, partial: 1, auth_failed: 1, system_error: 1 } satisfies Record<RunSummary['outcome'], 1>;
const AUTH_REASONS = { invalid_credentials: 1, locked: 1, needs_human: 1, insufficient_role: 1 } satisfies Record<AuthError['reason'], 1>;
const SERVICE_REASONS = {
  unavailable: 1,
  rate_limited: 1,
  timeout: 1,
  layout_changed: 1,
  browser_missing: 1,
  bad_response: 1,
} satisfies Record<ServiceError['reason'], 1>;

describe('message catalogues', () => {
  it('has the same leaf keys in ja and en (English adds singular forms: key_one next to key)', () => {
    const onlyJa = [...jaLeaves.keys()].filter((k) => !enLeaves.has(k));
    const onlyEn = [...enLeaves.keys()].filter((k) => !jaLeaves.has(k) && !(k.endsWith('_one') && jaLeaves.has(k.slice(0, -4))));
    expect({ onlyJa, onlyEn }).toEqual({ onlyJa: [], onlyEn: [] });
    expect(jaLeaves.size).toBeGreaterThan(50);
  });

  it('has no empty or non-string texts', () => {
    for (const [name, map] of [
      ['ja', jaLeaves],
      ['en', enLeaves],
    ] as const) {
      const bad = [...map].filter(([, v]) => typeof v !== 'string' || v.trim() === '' || v.startsWith('<<not a string')).map(([k]) => k);
      expect(bad, `${name} empty texts`).toEqual([]);
    }
  });

  it('uses the same interpolation variables for each key in both languages', () => {
    const mismatched: string[] = [];
    for (const [k, jv] of jaLeaves) {
      const ev = enLeaves.get(k);
      if (ev !== undefined && JSON.stringify(vars(jv)) !== JSON.stringify(vars(ev))) {
        mismatched.push(`${k}: ja ${vars(jv).join(',')} / en ${vars(ev).join(',')}`);
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('English singular forms keep the variables of their plural (but the count, which they may spell out)', () => {
    for (const [k, v] of enLeaves) {
      if (!k.endsWith('_one')) continue;
      const plural = enLeaves.get(k.slice(0, -4))!;
      expect(
        vars(v).filter((x) => x !== 'count'),
        k,
      ).toEqual(vars(plural).filter((x) => x !== 'count'));
      expect(translator('en')(k.slice(0, -4), { count: 1, job: 'J', channel: 'C1', title: 'T', medium: 'M', account: 'A', via: '' })).toBe(
        translator('en')(k, { count: 1, job: 'J', channel: 'C1', title: 'T', medium: 'M', account: 'A', via: '' }),
      );
    }
    expect(translator('en')('mapping.routed', { count: 1, job: 'Designer' })).toBe('1 candidate was routed to the job "Designer".');
    expect(translator('en')('mapping.routed', { count: 2, job: 'Designer' })).toBe('2 candidates were routed to the job "Designer".');
    expect(translator('ja')('mapping.routed', { count: 1, job: 'Designer' })).toContain('1 人');
  });

  it('has no broken interpolation braces', () => {
    for (const [k, v] of [...jaLeaves, ...enLeaves]) {
      const stripped = v.replace(/\{\{(-\s*)?\s*[^}\s]+\s*\}\}/g, '');
      expect(stripped.includes('{{') || stripped.includes('}}'), `${k}: ${v}`).toBe(false);
    }
  });

  it('has every key the code builds from an enum value', () => {
    const dynamic = [
      ...Object.keys(ACTIONS).map((a) => `actions.${a.replace('.', '_')}`),
      ...Object.keys(ORG_ROLES).map((r) => `roles.${r}`),
      ...DISPLAY_ROLES.map((r) => `roles.${r}`),
      ...MEDIA.map((m) => `media.${m}`),
      ...Object.keys(ACCOUNT_STATES).map((s) => `accountState.${s}`),
      'accountState.paused',
      'accountState.not_linked',
      ...Object.keys(OUTCOMES).map((o) => `accounts.outcome.${o}`),
      ...Object.keys(AUTH_REASONS).map((r) => `authReason.${r}`),
      ...Object.keys(SERVICE_REASONS).map((r) => `serviceReason.${r}`),
      'serviceReason.internal',
    ];
    const missing = dynamic.filter((k) => !jaLeaves.has(k) || !enLeaves.has(k));
    expect(missing).toEqual([]);
  });

  it('translates through i18next, escaping values for Slack (&, <, >) and nothing else', () => {
    expect(translator('en')('common.error', { ref: 'AB12CD34' })).toBe(
      'Something went wrong. Please try again in a moment. Reference: AB12CD34',
    );
    expect(translator('ja')('common.error', { ref: 'AB12CD34' })).toContain('AB12CD34');
    // a value cannot ping (<!channel>) or link: Slack shows &lt;!channel&gt; as the text it is
    expect(translator('en')('common.unknownCommand', { text: '<!channel> & "x"' })).toContain('&lt;!channel&gt; &amp; "x"');
    // markup the app makes itself is written unescaped ({{- users}})
    expect(translator('en')('roles.currentAdmins', { users: '<@U1>, <@U2>' })).toBe('Current org admins: <@U1>, <@U2>');
    // a key the catalogue does not have comes back as the key, not as an empty string
    expect(translator('en')('no.such.key')).toBe('no.such.key');
  });
});

describe('toLocale', () => {
  it.each([
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['EN-us', 'en'],
    ['en', 'en'],
    ['ja-JP', 'ja'],
    ['ja', 'ja'],
    ['fr-FR', 'ja'],
    ['es-ES', 'ja'],
    ['', 'ja'],
    [undefined, 'ja'],
    [null, 'ja'],
  ] as const)('%s → %s', (input, expected) => {
    expect(toLocale(input)).toBe(expected);
  });
});
