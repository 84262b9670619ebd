import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { getConnector } from '../../connectors/index';
import { AuthError, ServiceError, type ConnectorContext, type Credentials, type NormalizedApplicant } from '../../connectors/types';
import { rejectsWith } from '../helpers/rejects';

const KEY = 'wk_live_0123456789abcdef';
const creds: Credentials = { medium: 'wantedly', apiKey: KEY };
const connector = getConnector('wantedly');
let emu: WantedlyEmulator;
let ctx: ConnectorContext;

beforeAll(async () => {
  emu = await startWantedlyEmulator();
  ctx = { baseUrl: emu.url, timeoutMs: 5_000 };
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.addAccount({ apiKey: KEY });
});

describe('Wantedly connector against the emulator', () => {
  it('authenticates a good key', async () => {
    emu.generateEntries(KEY, { count: 3 });
    await expect(connector.authenticate(creds, ctx)).resolves.toBeUndefined();
    expect(connector.kind).toBe('api');
  });

  it('unknown key → AuthError(invalid_credentials); the key never appears in the message', async () => {
    const err = await rejectsWith(connector.authenticate({ medium: 'wantedly', apiKey: 'wk_unknown_secret' }, ctx));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).reason).toBe('invalid_credentials');
    expect(err.message).not.toContain('wk_unknown_secret');
  });

  it('revoked key → AuthError(invalid_credentials); member role → insufficient_role', async () => {
    emu.updateAccount(KEY, { revoked: true });
    expect(((await rejectsWith(connector.authenticate(creds, ctx))) as AuthError).reason).toBe('invalid_credentials');
    emu.updateAccount(KEY, { revoked: false, role: 'member' });
    expect(((await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctx))) as AuthError).reason).toBe('insufficient_role');
  });

  it('5xx → ServiceError(unavailable); maintenance → unavailable with retry-after', async () => {
    emu.injectFault({ kind: 'error', status: 502, times: 1 });
    const e1 = await rejectsWith(connector.authenticate(creds, ctx));
    expect(e1).toBeInstanceOf(ServiceError);
    expect((e1 as ServiceError).reason).toBe('unavailable');
    await connector.authenticate(creds, ctx); // fault used up
    emu.injectFault({ kind: 'maintenance' });
    const e2 = (await rejectsWith(connector.authenticate(creds, ctx))) as ServiceError;
    expect(e2.reason).toBe('unavailable');
    expect(e2.retryAfterMs).toBe(600_000);
  });

  it('429 → ServiceError(rate_limited) with retryAfterMs; the real limit too', async () => {
    emu.injectFault({ kind: 'rate_limit', retryAfterSec: 12, times: 1 });
    const e = (await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctx))) as ServiceError;
    expect(e.reason).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(12_000);
    emu.setRateLimit(2, 30);
    await connector.authenticate(creds, ctx);
    await connector.authenticate(creds, ctx);
    const e2 = (await rejectsWith(connector.authenticate(creds, ctx))) as ServiceError;
    expect(e2.reason).toBe('rate_limited');
    expect(e2.retryAfterMs).toBeGreaterThan(0);
    expect(emu.counters().rateLimited).toBe(2);
  });

  it('slow answer beyond ctx.timeoutMs → ServiceError(timeout)', async () => {
    emu.injectFault({ kind: 'slow', delayMs: 1_000, times: 1 });
    const e = (await rejectsWith(connector.authenticate(creds, { ...ctx, timeoutMs: 100 }))) as ServiceError;
    expect(e.reason).toBe('timeout');
  });

  it('a changed response shape → ServiceError(bad_response)', async () => {
    emu.generateEntries(KEY, { count: 3 });
    emu.injectFault({ kind: 'layout_changed' });
    const e = (await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 10 }, ctx))) as ServiceError;
    expect(e.reason).toBe('bad_response');
  });

  it('fetches 250 entries in 100/100/50 with cursors: no duplicate, none missed (ties), meetups flagged', async () => {
    const all = emu.generateEntries(KEY, { count: 250, seed: 5, tieEvery: 2 });
    // Make a tie group straddle the 100 boundary explicitly.
    expect(all[99].created_at).toBe(all[100].created_at);
    const batches: NormalizedApplicant[][] = [];
    let cursor: string | null = null;
    const cursors: (string | null)[] = [];
    for (;;) {
      cursors.push(cursor);
      const r = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx);
      batches.push(r.applicants);
      cursor = r.nextCursor;
      if (!r.hasMore) break;
    }
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    const ids = batches.flat().map((a) => a.externalId);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual(all.map((e) => String(e.id)));
    const flat = batches.flat();
    expect(flat.filter((a) => a.isMeetup).length).toBe(all.filter((e) => e.kind === 'meetup').length);
    expect(flat.some((a) => a.isMeetup)).toBe(true);
    for (const a of flat) expect(a.age).toBeUndefined();
    for (let i = 1; i < flat.length; i++) expect(flat[i].appliedAt >= flat[i - 1].appliedAt).toBe(true);

    // Idempotent: the second batch's cursor gives the same batch again.
    const again = await connector.fetchApplicants(creds, { cursor: cursors[1], limit: 100 }, ctx);
    expect(again.applicants).toEqual(batches[1]);

    // Nothing new → empty batch, same cursor; a new entry (same timestamp as the last) → returned.
    const none = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx);
    expect(none).toEqual({ applicants: [], nextCursor: cursor, hasMore: false });
    emu.seedEntries(KEY, [{ project_id: 1, project_title: 'バックエンドエンジニア', kind: 'application', created_at: all[249].created_at, user: { name: '新井 太郎' } }]);
    const late = await connector.fetchApplicants(creds, { cursor, limit: 100 }, ctx);
    expect(late.applicants.map((a) => a.name)).toEqual(['新井 太郎']);
  });

  it('limit above the API page size is served in several pages', async () => {
    emu.generateEntries(KEY, { count: 230 });
    const r = await connector.fetchApplicants(creds, { cursor: null, limit: 230 }, ctx);
    expect(r.applicants).toHaveLength(230);
    expect(r.hasMore).toBe(false);
    expect(emu.counters().entriesRequests).toBe(3);
  });
});
