/**
 * The privacy scanner itself (scan.ts, policy.ts): a value planted in each place and encoding is
 * found, the one place each secret legitimately goes is not reported, the document's table is the
 * policy's. The scan of the real suite is scan.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Recording } from './recording';
import { base64Fragments, needlesOf, NeedleIndex, scan, textEncodings } from './scan';

const SECRET = 'plant-Secret/+"é&<x>-0123456789';
const TOKEN = 'xoxb-plant-0123456789-abcdefABCDEF';
const KEY = Buffer.alloc(32, 7);

function recording(over: Partial<Recording> = {}): Recording {
  return {
    test: 'planted',
    logs: [],
    received: [],
    responses: [],
    secrets: [
      { kind: 'signing-secret', value: SECRET, source: 'plant' },
      { kind: 'slack-token', value: TOKEN, source: 'plant' },
      { kind: 'encryption-key', value: KEY.toString('base64'), bytesBase64: KEY.toString('base64'), source: 'plant' },
      { kind: 'media-password', value: 'bizreach-pw-0042', medium: 'bizreach', source: 'plant' },
    ],
    pii: [
      { kind: 'email', value: 'hina.sato12@example.jp', medium: 'bizreach' },
      { kind: 'phone', value: '090-4321-0012', medium: 'bizreach' },
    ],
    ...over,
  };
}

const run = (r: Recording) => {
  const recs = [r];
  return scan(recs, needlesOf(recs).needles);
};

describe('privacy scanner', () => {
  it('finds a secret in every encoding, embedded anywhere in a log line', () => {
    for (const [encoding, text] of textEncodings(SECRET)) {
      const hits = run(recording({ logs: [`{"msg":"x","v":"..${text}.."}`] }));
      expect(
        hits.map((h) => `${h.where} ${h.what}`),
        encoding,
      ).toContain('log signing-secret');
    }
    // base64 of a longer string holding it, at each alignment
    for (const pad of ['', 'a', 'ab', 'abc']) {
      const hits = run(recording({ logs: [Buffer.from(`${pad}${TOKEN}!`).toString('base64')] }));
      expect(
        hits.map((h) => h.what),
        `pad ${pad.length}`,
      ).toContain('slack-token');
    }
    expect(run(recording({ logs: [`key=${KEY.toString('hex')}`] })).map((h) => h.what)).toEqual(['encryption-key']);
  });

  it('allows only the one place each secret goes', () => {
    const slack = (url: string, headers: Record<string, string>, body = '') => ({
      to: 'slack' as const,
      method: 'POST',
      url,
      headers,
      body,
      status: 200,
    });
    const login = (to: 'bizreach' | 'green') => ({
      to,
      method: 'POST',
      url: '/login',
      headers: {},
      body: 'email=a%40b.c&password=bizreach-pw-0042',
      status: 302,
    });
    const hits = run(
      recording({
        received: [
          slack('/api/chat.postMessage', { authorization: `Bearer ${TOKEN}` }),
          slack('/api/chat.postMessage', {}, `token=${TOKEN}`),
          login('bizreach'),
          login('green'),
        ],
      }),
    );
    expect(hits.map((h) => `${h.where}: ${h.what}`)).toEqual([
      'Slack received POST /api/chat.postMessage body: slack-token',
      'green received POST /login body: media-password (bizreach)',
    ]);
  });

  it("finds candidates' e-mail addresses and phone numbers outside their record, in any form", () => {
    const hits = run(
      recording({
        received: [
          { to: 'slack', method: 'POST', url: '/api/chat.postMessage', headers: {}, body: 'text=hina.sato12%40example.jp', status: 200 },
        ],
        responses: [{ method: 'POST', url: '/slack/events', status: 200, headers: {}, body: 'call +819043210012' }],
        db: { candidates: '[{"email":"hina.sato12@example.jp","tel":"09043210012"}]', agendaJobs: '[{"data":{"p":"090-4321-0012"}}]' },
      }),
    );
    expect(hits.map((h) => `${h.where}: ${h.what}`).sort()).toEqual([
      'Slack received POST /api/chat.postMessage body: email (bizreach)',
      'app HTTP response body: phone (bizreach)',
      'db.agendaJobs: phone (bizreach)',
    ]);
  });

  it("takes every cookie value the app sent to a console as that console's session", () => {
    const sid = 'c2Vzc2lvbi1pZC0wMTIzNDU2Nzg5YWJj';
    const hits = run(
      recording({
        received: [{ to: 'green', method: 'GET', url: '/applicants', headers: { cookie: `session=${sid}` }, body: '', status: 200 }],
        logs: [`{"cookie":"${sid}"}`],
      }),
    );
    expect(hits.map((h) => `${h.where}: ${h.what}`)).toEqual(['log: media-session (green)']);
  });

  it('indexes many needles and finds overlapping ones', () => {
    const idx = new NeedleIndex([
      { subject: { kind: 'email' }, source: 's', encoding: 'raw', text: 'abcdefgh-1' },
      { subject: { kind: 'email' }, source: 's', encoding: 'raw', text: 'abcdefgh-12' },
    ]);
    const found: string[] = [];
    idx.scan('xxabcdefgh-12xx', (n, at) => found.push(`${n.text}@${at}`));
    expect(found).toEqual(['abcdefgh-1@2', 'abcdefgh-12@2']);
    expect(base64Fragments(Buffer.from('0123456789abcdef')).every((f) => f.length >= 16)).toBe(true);
  });
});
