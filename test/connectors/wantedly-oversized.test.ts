/**
 * Wantedly answering with more entries than asked for: the connector never returns more than
 * `limit`, and its cursor points right after the last applicant it returned, so consecutive fetches
 * (kept to `limit` the way src/domain/imports.ts keeps them) see every applicant exactly once.
 * A stub API (not the emulator, which always honours `limit`) serves fixed-size pages.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { getConnector } from '../../connectors/index';
import type { ConnectorContext, Credentials } from '../../connectors/types';

const creds: Credentials = { medium: 'wantedly', apiKey: 'wk_stub_key_123' };
const connector = getConnector('wantedly');

interface StubEntry {
  id: number;
  created_at: string;
}

/** A Wantedly-like API whose pages have `pageSize` entries whatever `limit` says. */
function stubApi() {
  let entries: StubEntry[] = [];
  let pageSize = 150;
  const requests: { limit: string | null; cursor: string | null }[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v1/projects') return send(200, { data: [] });
    if (url.pathname !== '/v1/entries') return send(404, { error: { code: 'not_found' } });
    const cursor = url.searchParams.get('cursor');
    requests.push({ limit: url.searchParams.get('limit'), cursor });
    // Opaque to the client: "o<offset>".
    const start = cursor ? Number(cursor.slice(1)) : 0;
    const page = entries.slice(start, start + pageSize);
    const end = start + page.length;
    send(200, {
      data: page.map((e) => ({
        id: e.id,
        project_id: 40_001,
        project_title: 'バックエンドエンジニア',
        kind: e.id % 3 === 0 ? 'meetup' : 'application',
        created_at: e.created_at,
        ticket_url: `https://www.wantedly.com/enterprise/tickets/${e.id}`,
        user: { name: `応募者 ${e.id}` },
      })),
      next_cursor: page.length ? `o${end}` : cursor,
      has_more: end < entries.length,
    });
  });
  return {
    server,
    requests,
    setEntries(n: number, tieEvery = 3) {
      // Oldest first; groups of `tieEvery` share a created_at (ties broken by id).
      entries = Array.from({ length: n }, (_, i) => ({
        id: 500_001 + i,
        created_at: new Date(Date.UTC(2026, 10, 1) + Math.floor(i / tieEvery) * 60_000).toISOString(),
      }));
    },
    append(n: number) {
      const last = entries[entries.length - 1];
      const t0 = last ? Date.parse(last.created_at) : Date.UTC(2026, 10, 1);
      for (let i = 0; i < n; i++)
        entries.push({ id: (last?.id ?? 500_000) + 1 + i, created_at: new Date(t0 + (i + 1) * 60_000).toISOString() });
    },
    setPageSize(n: number) {
      pageSize = n;
    },
    ids: () => entries.map((e) => String(e.id)),
  };
}

/** Runs fetches the way imports.ts does (keep at most `limit`, then store nextCursor) until nothing is left. */
async function drain(ctx: ConnectorContext, limit: number, cursor: string | null = null) {
  const seen: string[] = [];
  const batches: number[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await connector.fetchApplicants(creds, { cursor, limit }, ctx);
    expect(r.applicants.length).toBeLessThanOrEqual(limit);
    const kept = r.applicants.slice(0, limit);
    seen.push(...kept.map((a) => a.externalId));
    batches.push(kept.length);
    cursor = r.nextCursor ?? cursor;
    if (!r.hasMore) break;
  }
  return { seen, batches, cursor };
}

describe('Wantedly: a page larger than asked for', () => {
  const stub = stubApi();
  let ctx: ConnectorContext;
  beforeAll(async () => {
    await new Promise<void>((r) => stub.server.listen(0, '127.0.0.1', () => r()));
    ctx = { baseUrl: `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`, timeoutMs: 5_000 };
  });
  afterAll(() => new Promise<void>((r) => stub.server.close(() => r())));
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('150-entry pages, limit 100: two consecutive fetches return all 250 exactly once, in order', async () => {
    stub.setEntries(250);
    stub.setPageSize(150);
    const first = await connector.fetchApplicants(creds, { cursor: null, limit: 100 }, ctx);
    expect(first.applicants).toHaveLength(100);
    expect(first.hasMore).toBe(true);
    const second = await connector.fetchApplicants(creds, { cursor: first.nextCursor, limit: 100 }, ctx);
    expect(second.applicants.map((a) => a.externalId)).toEqual(stub.ids().slice(100, 200));
    const third = await connector.fetchApplicants(creds, { cursor: second.nextCursor, limit: 100 }, ctx);
    expect(third.applicants.map((a) => a.externalId)).toEqual(stub.ids().slice(200));
    expect(third.hasMore).toBe(false);
    // Re-fetching with an old cursor returns the same batch (the cursor covers exactly what was returned).
    const again = await connector.fetchApplicants(creds, { cursor: first.nextCursor, limit: 100 }, ctx);
    expect(again.applicants.map((a) => a.externalId)).toEqual(second.applicants.map((a) => a.externalId));
  });

  for (const [pageSize, limit, total] of [
    [150, 100, 250],
    [30, 100, 250], // several pages per fetch, the 4th only partly used
    [7, 5, 23], // ties cut across the limit boundary
    [1000, 100, 340],
    [3, 1, 10],
  ] as const) {
    it(`pages of ${pageSize}, limit ${limit}, ${total} entries: every applicant exactly once, in order`, async () => {
      stub.setEntries(total);
      stub.setPageSize(pageSize);
      const { seen, batches } = await drain(ctx, limit);
      expect(seen).toEqual(stub.ids());
      expect(new Set(seen).size).toBe(total);
      expect(Math.max(...batches)).toBeLessThanOrEqual(limit);
    });
  }

  it('entries arriving after a cut batch are picked up on the next fetch', async () => {
    stub.setEntries(12);
    stub.setPageSize(50);
    const first = await connector.fetchApplicants(creds, { cursor: null, limit: 5 }, ctx);
    expect(first.applicants.map((a) => a.externalId)).toEqual(stub.ids().slice(0, 5));
    stub.append(4);
    const { seen, cursor } = await drain(ctx, 5, first.nextCursor);
    expect(seen).toEqual(stub.ids().slice(5));
    // Caught up: nothing more, and the cursor stays usable for later polls.
    const idle = await connector.fetchApplicants(creds, { cursor, limit: 5 }, ctx);
    expect(idle.applicants).toHaveLength(0);
    expect(idle.hasMore).toBe(false);
    stub.append(2);
    const later = await connector.fetchApplicants(creds, { cursor: idle.nextCursor, limit: 5 }, ctx);
    expect(later.applicants.map((a) => a.externalId)).toEqual(stub.ids().slice(16));
  });

  it('limit 0 with a cut cursor only reports whether something is waiting', async () => {
    stub.setEntries(6);
    stub.setPageSize(50);
    const first = await connector.fetchApplicants(creds, { cursor: null, limit: 4 }, ctx);
    const peek = await connector.fetchApplicants(creds, { cursor: first.nextCursor, limit: 0 }, ctx);
    expect(peek.applicants).toHaveLength(0);
    expect(peek.hasMore).toBe(true);
    expect(peek.nextCursor).toBe(first.nextCursor);
    const rest = await connector.fetchApplicants(creds, { cursor: first.nextCursor, limit: 10 }, ctx);
    expect(rest.applicants.map((a) => a.externalId)).toEqual(stub.ids().slice(4));
    const peek2 = await connector.fetchApplicants(creds, { cursor: rest.nextCursor, limit: 0 }, ctx);
    expect(peek2.hasMore).toBe(false);
  });
});

describe('Wantedly emulator (honours limit): unchanged behaviour', () => {
  const KEY = 'wk_live_oversized_check';
  let emu: WantedlyEmulator;
  beforeAll(async () => {
    emu = await startWantedlyEmulator();
    emu.addAccount({ apiKey: KEY });
    emu.setRateLimit(0);
  });
  afterAll(() => emu.close());

  it('limit 100 over 230 entries: 100/100/30, each exactly once', async () => {
    emu.generateEntries(KEY, { count: 230, tieEvery: 4 });
    const ctx = { baseUrl: emu.url, timeoutMs: 5_000 };
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    for (;;) {
      const r = await connector.fetchApplicants({ medium: 'wantedly', apiKey: KEY }, { cursor, limit: 100 }, ctx);
      seen.push(...r.applicants.map((a) => a.externalId));
      sizes.push(r.applicants.length);
      cursor = r.nextCursor;
      if (!r.hasMore) break;
    }
    expect(sizes).toEqual([100, 100, 30]);
    expect(seen).toEqual(emu.entries(KEY).map((e) => String(e.id)));
  });
});
