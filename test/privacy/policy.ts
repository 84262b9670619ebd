/**
 * Where a test secret or a candidate's e-mail address or phone number may appear — everywhere else
 * the privacy scan (scan.test.ts) reports a hit. The table in docs/privacy-scan.md is rendered from
 * this file (policyTable) and checked by the scan, so the document cannot drift from what is proved.
 */
import type { Medium } from '../../src/vocabulary';
import type { PiiKind, SecretKind } from './recording';

/** One place a value was found. `part`: a request's or response's headers or body. */
export type Place =
  | { kind: 'log' }
  | { kind: 'slack'; method: string; path: string; part: 'headers' | 'body'; header?: string }
  | { kind: 'media'; medium: Medium; method: string; path: string; part: 'headers' | 'body'; header?: string }
  | { kind: 'response'; part: 'headers' | 'body' }
  | { kind: 'db'; collection: string };

export type Subject = { kind: SecretKind; medium?: Medium } | { kind: PiiKind; medium?: Medium };

export interface Allowance {
  /** The one place the value legitimately goes. */
  where: string;
  reason: string;
  allows(place: Place, s: Subject): boolean;
}

/** One row of the policy: what, and the only places it may be (an empty list: nowhere). */
export interface Rule {
  what: string;
  allowed: Allowance[];
}

const consoleLogin = (p: Place, s: Subject) =>
  p.kind === 'media' &&
  p.medium !== 'wantedly' &&
  (s.medium === undefined || p.medium === s.medium) &&
  p.method === 'POST' &&
  p.path === '/login' &&
  p.part === 'body';

export const SECRET_RULES: Record<SecretKind, Rule> = {
  'signing-secret': { what: 'Slack signing secret', allowed: [] },
  'state-secret': { what: 'OAuth state secret', allowed: [] },
  'client-secret': {
    what: 'Slack client secret',
    allowed: [
      {
        where: 'Slack `oauth.v2.access` request',
        reason: 'the OAuth code exchange authenticates the app with it',
        allows: (p) => p.kind === 'slack' && p.path === '/api/oauth.v2.access',
      },
    ],
  },
  'encryption-key': { what: 'Encryption keys (as base64, base64url or hex)', allowed: [] },
  'slack-token': {
    what: 'Bot and user tokens',
    allowed: [
      {
        where: '`Authorization` header of Slack Web API calls',
        reason: 'every Web API call is authorized by the token in that header',
        allows: (p) => p.kind === 'slack' && p.path.startsWith('/api/') && p.part === 'headers' && p.header === 'authorization',
      },
    ],
  },
  'verification-token': { what: "Slack's deprecated verification token", allowed: [] },
  'media-password': {
    what: 'Media passwords (fixtures and whatever was typed into a link modal)',
    allowed: [
      {
        where: 'body of `POST /login` to the medium it belongs to',
        reason: "the console's login form is where the password is for",
        allows: consoleLogin,
      },
    ],
  },
  'media-api-key': {
    what: 'Wantedly API keys',
    allowed: [
      {
        where: '`Authorization` / `X-Api-Key` header of Wantedly API requests',
        reason: 'the API authenticates each request with the key',
        allows: (p) =>
          p.kind === 'media' &&
          p.medium === 'wantedly' &&
          p.part === 'headers' &&
          (p.header === 'authorization' || p.header === 'x-api-key'),
      },
    ],
  },
  'media-session': {
    what: 'Media session cookies (every cookie value the app sent to a console)',
    allowed: [
      {
        where: '`Cookie` header of requests to the console that set it',
        reason: 'the logged-in session is carried by that cookie',
        allows: (p, s) => p.kind === 'media' && p.medium === s.medium && p.part === 'headers' && p.header === 'cookie',
      },
    ],
  },
};

/**
 * Candidates' e-mail addresses and phone numbers: the app imports neither (connectors/types.ts), no
 * card, digest, details modal or search answer shows them (views/candidate.ts: cards scrub them,
 * links drop mailto:/tel:), so no Slack payload to anyone — channel, DM, modal, Home — may carry
 * them. Only the candidate's own record may, should a medium's profile carry one.
 */
export const PII_RULES: Record<PiiKind, Rule> = {
  email: {
    what: "Candidates' e-mail addresses",
    allowed: [
      {
        where: 'the `candidates` collection',
        reason: "the candidate's own record is the one place the product keeps a candidate's data",
        allows: (p) => p.kind === 'db' && p.collection === 'candidates',
      },
    ],
  },
  phone: {
    what: "Candidates' phone numbers",
    allowed: [
      {
        where: 'the `candidates` collection',
        reason: "the candidate's own record is the one place the product keeps a candidate's data",
        allows: (p) => p.kind === 'db' && p.collection === 'candidates',
      },
    ],
  },
};

export function allowedAt(s: Subject, p: Place): boolean {
  const rule = s.kind === 'email' || s.kind === 'phone' ? PII_RULES[s.kind] : SECRET_RULES[s.kind];
  return rule.allowed.some((a) => a.allows(p, s));
}

export function placeLabel(p: Place): string {
  switch (p.kind) {
    case 'log':
      return 'log';
    case 'slack':
      return `Slack received ${p.method} ${p.path} ${p.part === 'headers' ? `header ${p.header}` : 'body'}`;
    case 'media':
      return `${p.medium} received ${p.method} ${p.path} ${p.part === 'headers' ? `header ${p.header}` : 'body'}`;
    case 'response':
      return `app HTTP response ${p.part}`;
    case 'db':
      return `db.${p.collection}`;
  }
}

/** The policy as the Markdown table docs/privacy-scan.md holds. */
export function policyTable(): string {
  const rows = [...Object.values(SECRET_RULES), ...Object.values(PII_RULES)].map(
    (r) => `| ${r.what} | ${r.allowed.length ? r.allowed.map((a) => `only ${a.where} (${a.reason})`).join('; ') : 'nowhere'} |`,
  );
  return ['| What | Where it may appear (everywhere else is a hit) |', '| --- | --- |', ...rows].join('\n');
}

/** A Markdown table's cells, whatever its padding (a formatter may align the columns). */
export function tableCells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim().replace(/^-+$/, '---')),
    );
}
