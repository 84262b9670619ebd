/**
 * The privacy scan: every recorded haystack (log lines, requests the emulators received, the app's
 * HTTP responses, the database dump) searched for every recorded needle (test secrets, candidates'
 * e-mail addresses and phone numbers) in the encodings they could be written in, and each find
 * judged by the policy (policy.ts). One pass per haystack, whatever the number of needles: needles
 * are indexed by a rolling hash of their first GRAM characters and confirmed with startsWith.
 */
import type { Medium } from '../../src/vocabulary';
import { allowedAt, placeLabel, type Place, type Subject } from './policy';
import type { Recording, SecretRecord } from './recording';

/** Shorter values are not searched (they would match by chance); the scan reports them. */
export const MIN_NEEDLE = 8;
const GRAM = 8;

export interface Needle {
  subject: Subject;
  /** Where the value came from (for the report). */
  source: string;
  /** How it was written (raw, base64, url-encoded, …). */
  encoding: string;
  text: string;
}

export interface Hit {
  where: string;
  what: string;
  source: string;
  encoding: string;
  test: string;
  /** The text around it, the value itself masked. */
  context: string;
}

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Fragments of the base64 (and base64url) text of `bytes` found wherever they sit in a longer
 * encoded string: for each of the three alignments, the characters that depend only on `bytes`.
 */
export function base64Fragments(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const total = k + bytes.length;
    const end = total % 3 === 0 ? b64.length : b64.length - 4;
    const frag = b64.slice(k ? 4 : 0, end);
    out.push(frag, frag.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** A text value as it could be written: raw, JSON-escaped (once, twice), URL- and form-encoded, HTML-escaped, base64, hex. */
export function textEncodings(value: string): [string, string][] {
  const json = JSON.stringify(value).slice(1, -1);
  const out: [string, string][] = [
    ['raw', value],
    ['JSON-escaped', json],
    ['JSON-escaped twice', JSON.stringify(json).slice(1, -1)],
    ['URL-encoded', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['URL-encoded JSON', encodeURIComponent(json)],
    ['HTML-escaped', html(value)],
    ['hex', Buffer.from(value).toString('hex')],
    ...base64Fragments(Buffer.from(value)).map((f) => ['base64', f] as [string, string]),
  ];
  return out;
}

function secretNeedles(s: SecretRecord): Needle[] {
  const subject: Subject = { kind: s.kind, medium: s.medium };
  const enc: [string, string][] = textEncodings(s.value);
  if (s.bytesBase64) {
    const bytes = Buffer.from(s.bytesBase64, 'base64');
    enc.push(['hex', bytes.toString('hex')], ['base64url', bytes.toString('base64url')]);
    for (const f of base64Fragments(bytes)) enc.push(['base64 (bytes)', f]);
  }
  return enc.map(([encoding, text]) => ({ subject, source: s.source, encoding, text }));
}

/** 090-1234-0001 as written, as digits, and in international form (+81 90-1234-0001, +819012340001). */
function phoneForms(phone: string): [string, string][] {
  const digits = phone.replace(/\D/g, '');
  const intl = digits.startsWith('0') ? digits.slice(1) : digits;
  return [
    ['raw', phone],
    ['digits only', digits],
    ['+81', `+81${intl}`],
    ['+81 dashed', `+81-${phone.replace(/^0/, '')}`],
    ['URL-encoded +81', encodeURIComponent(`+81${intl}`)],
  ];
}

function emailForms(email: string): [string, string][] {
  return [
    ['raw', email],
    ['URL-encoded', encodeURIComponent(email)],
    ['HTML-escaped', html(email)],
    ['upper case', email.toUpperCase()],
    ...base64Fragments(Buffer.from(email)).map((f) => ['base64', f] as [string, string]),
  ];
}

/** Every needle the recordings name (deduplicated), and the values too short to search. */
export function needlesOf(recs: Recording[]): { needles: Needle[]; tooShort: string[] } {
  const seen = new Map<string, Needle>();
  const tooShort = new Set<string>();
  const add = (n: Needle) => {
    if (n.text.length < MIN_NEEDLE) return;
    const key = `${n.subject.kind}\u0000${n.subject.medium ?? ''}\u0000${n.text}`;
    if (!seen.has(key)) seen.set(key, n);
  };
  for (const r of recs) {
    const secrets = [...r.secrets, ...sessionCookies(r)];
    for (const s of secrets) {
      if (s.value.length < MIN_NEEDLE) tooShort.add(`${s.kind} from ${s.source} (${s.value.length} characters)`);
      else for (const n of secretNeedles(s)) add(n);
    }
    for (const p of r.pii) {
      const forms = p.kind === 'phone' ? phoneForms(p.value) : emailForms(p.value);
      for (const [encoding, text] of forms)
        add({ subject: { kind: p.kind, medium: p.medium }, source: `${p.medium} emulator applicant`, encoding, text });
    }
  }
  // the same text can be two needles (a password typed for a medium and that medium's fixture):
  // a find is a hit only if neither allows it, so keep all and let the policy decide per subject
  return { needles: [...seen.values()], tooShort: [...tooShort] };
}

/** Every cookie value the app sent to a console: the session the console gave it. */
function sessionCookies(r: Recording): SecretRecord[] {
  const out: SecretRecord[] = [];
  for (const q of r.received) {
    if (q.to === 'slack' || q.to === 'wantedly') continue;
    const cookie = q.headers.cookie;
    for (const c of (Array.isArray(cookie) ? cookie : cookie ? [cookie] : []).flatMap((x) => x.split(';'))) {
      const v = c.slice(c.indexOf('=') + 1).trim();
      if (v.length >= MIN_NEEDLE) out.push({ kind: 'media-session', value: v, medium: q.to as Medium, source: `${q.to} session cookie` });
    }
  }
  return out;
}

/** Needles indexed by a rolling hash of their first GRAM characters. */
export class NeedleIndex {
  private byHash = new Map<number, Needle[]>();
  private static readonly B = 0x01000193;
  private static readonly BG = (() => {
    let p = 1;
    for (let i = 0; i < GRAM - 1; i++) p = Math.imul(p, NeedleIndex.B);
    return p;
  })();

  constructor(needles: Needle[]) {
    for (const n of needles) {
      const h = NeedleIndex.hash(n.text, 0);
      const list = this.byHash.get(h);
      if (list) list.push(n);
      else this.byHash.set(h, [n]);
    }
  }

  private static hash(s: string, from: number): number {
    let h = 0;
    for (let i = from; i < from + GRAM; i++) h = (Math.imul(h, NeedleIndex.B) + s.charCodeAt(i)) | 0;
    return h;
  }

  /** Calls `found` for every needle at every index of `hay`. */
  scan(hay: string, found: (n: Needle, at: number) => void): void {
    if (hay.length < GRAM || this.byHash.size === 0) return;
    const B = NeedleIndex.B;
    const BG = NeedleIndex.BG;
    let h = NeedleIndex.hash(hay, 0);
    for (let i = 0; ; i++) {
      const list = this.byHash.get(h);
      if (list) for (const n of list) if (hay.startsWith(n.text, i)) found(n, i);
      if (i + GRAM >= hay.length) break;
      h = (Math.imul((h - Math.imul(hay.charCodeAt(i), BG)) | 0, B) + hay.charCodeAt(i + GRAM)) | 0;
    }
  }
}

/** A recording cut into haystacks, each with the place it stands for. */
export function haystacks(r: Recording): { place: Place; text: string }[] {
  const out: { place: Place; text: string }[] = [];
  if (r.logs.length) out.push({ place: { kind: 'log' }, text: r.logs.join('\n') });
  for (const q of r.received) {
    const path = q.url.split('?')[0];
    const base =
      q.to === 'slack'
        ? ({ kind: 'slack', method: q.method, path } as const)
        : ({ kind: 'media', medium: q.to, method: q.method, path } as const);
    // the query string travels with the request line: judged as part of the body
    const query = q.url.includes('?') ? q.url.slice(q.url.indexOf('?')) : '';
    out.push({ place: { ...base, part: 'body' }, text: `${query}\n${q.body}` });
    for (const [name, v] of Object.entries(q.headers)) {
      if (v === undefined) continue;
      out.push({ place: { ...base, part: 'headers', header: name }, text: Array.isArray(v) ? v.join('\n') : v });
    }
  }
  for (const s of r.responses) {
    out.push({ place: { kind: 'response', part: 'headers' }, text: JSON.stringify(s.headers) });
    out.push({ place: { kind: 'response', part: 'body' }, text: s.body });
  }
  for (const [collection, text] of Object.entries(r.db ?? {})) out.push({ place: { kind: 'db', collection }, text });
  return out;
}

/** Every find the policy does not allow, at most `limit` (each described, the value masked). */
export function scan(recs: Recording[], needles: Needle[], limit = 200): Hit[] {
  const index = new NeedleIndex(needles);
  const hits: Hit[] = [];
  const seen = new Set<string>();
  for (const r of recs) {
    for (const { place, text } of haystacks(r)) {
      // several needles (subjects) may share a text: a find is a hit only if no subject of that text is allowed there
      const finds = new Map<string, Set<Needle>>();
      index.scan(text, (n) => {
        const list = finds.get(n.text);
        if (list) list.add(n);
        else finds.set(n.text, new Set([n]));
      });
      for (const set of finds.values()) {
        const ns = [...set];
        if (ns.some((n) => allowedAt(n.subject, place))) continue;
        const n = ns[0];
        const at = text.indexOf(n.text);
        const where = placeLabel(place);
        const dedupe = `${r.test}|${where}|${n.subject.kind}|${n.text}`;
        if (seen.has(dedupe)) continue;
        seen.add(dedupe);
        hits.push({
          where,
          what: `${n.subject.kind}${n.subject.medium ? ` (${n.subject.medium})` : ''}`,
          source: n.source,
          encoding: n.encoding,
          test: r.test,
          context: `${text.slice(Math.max(0, at - 60), at)}«${n.text.slice(0, 3)}…»${text.slice(at + n.text.length, at + n.text.length + 60)}`,
        });
        if (hits.length >= limit) return hits;
      }
    }
  }
  return hits;
}
