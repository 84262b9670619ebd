/**
 * The five console connectors against their emulators, through the shared Chromium.
 * Full flow for BizReach; lighter checks for Green, Findy, paiza, OpenWork.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMediaEmulators, type MediaEmulators } from '../../emulators/media';
import { getConnector } from '../../connectors/index';
import { closeBrowser } from '../../connectors/browser';
import { AuthError, ServiceError, type ConnectorContext, type Credentials, type NormalizedApplicant } from '../../connectors/types';
import { rejectsWith } from '../helpers/rejects';

let m: MediaEmulators;
const ctxOf = (medium: keyof MediaEmulators['urls'], timeoutMs = 10_000): ConnectorContext => ({ baseUrl: m.urls[medium], timeoutMs });

beforeAll(async () => {
  m = await startMediaEmulators();
});
afterAll(async () => {
  await closeBrowser();
  await m.close();
});

describe('BizReach (full)', () => {
  const connector = getConnector('bizreach');
  const login = 'saiyo@example.co.jp';
  const password = 'Tr0ub4dor&3-secret';
  const creds: Credentials = { medium: 'bizreach', email: login, password };
  const ctx = () => ctxOf('bizreach');

  beforeEach(() => {
    m.bizreach.reset();
    m.bizreach.addAccount({ login, password });
  });

  it('good credentials → ok', async () => {
    m.bizreach.generateApplicants(login, { count: 3 });
    await connector.authenticate(creds, ctx());
    expect(connector.kind).toBe('browser');
    expect(m.bizreach.counters().logins).toBe(1);
  });

  it('a login id the form refuses (not an e-mail) → AuthError(invalid_credentials), not a timeout', async () => {
    const e = await rejectsWith(connector.authenticate({ ...creds, email: 'not-an-email' }, ctx()));
    expect((e as AuthError).reason).toBe('invalid_credentials');
    expect(e.message).not.toContain('not-an-email');
  });

  it('wrong password → AuthError(invalid_credentials), no credential in the message', async () => {
    const e = await rejectsWith(connector.authenticate({ ...creds, password: 'wrong-pass-123' }, ctx()));
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).reason).toBe('invalid_credentials');
    expect(e.message).not.toContain('wrong-pass-123');
    expect(e.message).not.toContain(login);
  });

  it('locked (set, or after N failures) → AuthError(locked)', async () => {
    m.bizreach.setLockAfterFailures(2);
    expect(((await rejectsWith(connector.authenticate({ ...creds, password: 'bad1' }, ctx()))) as AuthError).reason).toBe('invalid_credentials');
    expect(((await rejectsWith(connector.authenticate({ ...creds, password: 'bad2' }, ctx()))) as AuthError).reason).toBe('locked');
    expect(((await rejectsWith(connector.authenticate(creds, ctx()))) as AuthError).reason).toBe('locked');
  });

  it('OTP or CAPTCHA → AuthError(needs_human); insufficient role → insufficient_role', async () => {
    m.bizreach.updateAccount(login, { otpRequired: true });
    expect(((await rejectsWith(connector.authenticate(creds, ctx()))) as AuthError).reason).toBe('needs_human');
    expect(m.bizreach.otpCode(login)).toMatch(/^\d{6}$/);
    m.bizreach.updateAccount(login, { otpRequired: false, captcha: true });
    expect(((await rejectsWith(connector.authenticate(creds, ctx()))) as AuthError).reason).toBe('needs_human');
    m.bizreach.updateAccount(login, { captcha: false, role: 'none' });
    expect(((await rejectsWith(connector.authenticate(creds, ctx()))) as AuthError).reason).toBe('insufficient_role');
  });

  it('5xx → unavailable; 429 → rate_limited with retryAfterMs; maintenance → unavailable', async () => {
    m.bizreach.injectFault({ kind: 'error', status: 500, times: 1 });
    const e1 = (await rejectsWith(connector.authenticate(creds, ctx()))) as ServiceError;
    expect(e1).toBeInstanceOf(ServiceError);
    expect(e1.reason).toBe('unavailable');
    m.bizreach.injectFault({ kind: 'rate_limit', retryAfterSec: 90, times: 1, path: '/applicants' });
    const e2 = (await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctx()))) as ServiceError;
    expect(e2.reason).toBe('rate_limited');
    expect(e2.retryAfterMs).toBe(90_000);
    m.bizreach.injectFault({ kind: 'maintenance' });
    expect(((await rejectsWith(connector.authenticate(creds, ctx()))) as ServiceError).reason).toBe('unavailable');
  });

  it('changed layout → layout_changed; slow page → timeout', async () => {
    m.bizreach.generateApplicants(login, { count: 5 });
    m.bizreach.injectFault({ kind: 'layout_changed' });
    expect(((await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctx()))) as ServiceError).reason).toBe('layout_changed');
    m.bizreach.clearFaults();
    m.bizreach.injectFault({ kind: 'slow', delayMs: 3_000, times: 1, path: '/applicants' });
    expect(((await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctxOf('bizreach', 500)))) as ServiceError).reason).toBe('timeout');
  });

  it('an expired session in the middle of a fetch → logs in again and carries on', async () => {
    m.bizreach.generateApplicants(login, { count: 60 });
    // Let the post-login list page through, then drop the session on the next list page.
    m.bizreach.injectFault({ kind: 'session_expired', path: '/applicants', after: 1, times: 1 });
    const r = await connector.fetchApplicants(creds, { cursor: null, limit: 50 }, ctx());
    expect(r.applicants).toHaveLength(50);
    expect(m.bizreach.counters().logins).toBe(2);
  });

  it('fetches 250 in 100/100/50 with cursors (ties across batch and page boundaries), idempotent re-fetch', async () => {
    // Groups of 5 applicants share one 応募日時: ties straddle the 20-row pages and the 100 cut.
    const all = m.bizreach.generateApplicants(login, { count: 250, seed: 11, stepMs: 60_000, tieEvery: 0 });
    const seeded = all.map((a, i) => ({ ...a, appliedAt: new Date(Date.parse('2026-11-02T00:00:00Z') + Math.floor((i + 3) / 5) * 60_000).toISOString() }));
    m.bizreach.reset();
    m.bizreach.addAccount({ login, password });
    const stored = m.bizreach.seedApplicants(login, seeded);
    expect(stored[99].appliedAt).toBe(stored[100].appliedAt);

    const batches: NormalizedApplicant[][] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    for (;;) {
      cursors.push(cursor);
      const r = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx());
      batches.push(r.applicants);
      cursor = r.nextCursor;
      if (!r.hasMore) break;
    }
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    const flat = batches.flat();
    expect(new Set(flat.map((a) => a.externalId)).size).toBe(250);
    expect(flat.map((a) => a.externalId).sort()).toEqual(stored.map((a) => a.id).sort());
    const byId = new Map(stored.map((a) => [a.id, a]));
    for (const a of flat) {
      const s = byId.get(a.externalId)!;
      expect(a.name).toBe(s.name);
      expect(a.age).toBe(s.age);
      expect(a.postingId).toBe(s.postingId);
      expect(a.postingTitle).toBe(s.postingTitle);
      expect(a.appliedAt).toBe(s.appliedAt);
      expect(a.profileUrl).toBe(`${m.urls.bizreach}/applicants/${s.id}`);
      expect(a.isMeetup).toBe(false);
    }
    const again = await connector.fetchApplicants(creds, { cursor: cursors[1], limit: 100 }, ctx());
    expect(again.applicants).toEqual(batches[1]);
    expect(again.nextCursor).toBe(cursors[2]);

    const none = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx());
    expect(none).toEqual({ applicants: [], nextCursor: cursor, hasMore: false });
    m.bizreach.seedApplicants(login, [{ name: '新井 花子', postingId: 'JOB-1001', postingTitle: 'データエンジニア', appliedAt: '2026-12-01T00:00:00Z' }]);
    const late = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx());
    expect(late.applicants.map((a) => a.name)).toEqual(['新井 花子']);
  });
});

const LIGHT = [
  { medium: 'green', creds: (l: string, p: string): Credentials => ({ medium: 'green', companyId: l, password: p }), login: 'C-000123' },
  { medium: 'findy', creds: (l: string, p: string): Credentials => ({ medium: 'findy', email: l, password: p }), login: 'hr@findy-corp.example.jp' },
  { medium: 'paiza', creds: (l: string, p: string): Credentials => ({ medium: 'paiza', userId: l, password: p }), login: 'paiza_recruiter01' },
  { medium: 'openwork', creds: (l: string, p: string): Credentials => ({ medium: 'openwork', userId: l, password: p }), login: 'ow_recruiter_7' },
] as const;

for (const t of LIGHT) {
  describe(`${t.medium} (light)`, () => {
    const connector = getConnector(t.medium);
    const emu = () => m[t.medium];
    beforeEach(() => {
      emu().reset();
      emu().addAccount({ login: t.login, password: 'pass-word-1' });
    });

    it('authenticates; wrong password → invalid_credentials; 5xx → unavailable', async () => {
      await connector.authenticate(t.creds(t.login, 'pass-word-1'), ctxOf(t.medium));
      expect(((await rejectsWith(connector.authenticate(t.creds(t.login, 'nope'), ctxOf(t.medium)))) as AuthError).reason).toBe('invalid_credentials');
      emu().injectFault({ kind: 'error', status: 503, times: 1 });
      expect(((await rejectsWith(connector.authenticate(t.creds(t.login, 'pass-word-1'), ctxOf(t.medium)))) as ServiceError).reason).toBe('unavailable');
    });

    it('fetches 30 in 25 + 5 across pages with the right fields', async () => {
      const stored = emu().generateApplicants(t.login, { count: 30, seed: 3, tieEvery: 4 });
      const c = t.creds(t.login, 'pass-word-1');
      const r1 = await connector.fetchApplicants(c, { cursor: null, limit: 25 }, ctxOf(t.medium));
      const r2 = await connector.fetchApplicants(c, { cursor: r1.nextCursor, limit: 25 }, ctxOf(t.medium));
      expect([r1.applicants.length, r1.hasMore, r2.applicants.length, r2.hasMore]).toEqual([25, true, 5, false]);
      const flat = [...r1.applicants, ...r2.applicants];
      expect(flat.map((a) => a.externalId)).toEqual(stored.map((a) => a.id));
      for (const [i, a] of flat.entries()) {
        if (t.medium === 'findy') expect(a.age).toBeUndefined();
        else expect(a.age).toBe(stored[i].age);
        expect(a.name).toBe(stored[i].name);
        expect(a.profileUrl).toBe(`${m.urls[t.medium]}/applicants/${stored[i].id}`);
      }
    });
  });
}
