/** The media emulators themselves: startMediaEmulators, demo seed, the HTTP control API, console rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, seedMediaDemo, startMediaEmulators, type MediaEmulators } from '../../emulators/media';
import { MEDIA } from '../../src/vocabulary';

let m: MediaEmulators;
beforeAll(async () => {
  m = await startMediaEmulators();
});
afterAll(() => m.close());

const admin = (base: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${base}/__admin/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

async function consoleLogin(base: string, field: string, login: string, password: string, csrf?: string) {
  const page = await (await fetch(`${base}/login`)).text();
  const token = csrf ?? page.match(/name="csrf_token" value="([^"]+)"/)![1];
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ csrf_token: token, [field]: login, password }),
  });
}

describe('media emulators', () => {
  it('start all six on distinct ports; demo seed gives every medium applicants', async () => {
    expect(Object.keys(m.urls).sort()).toEqual([...MEDIA].sort());
    expect(new Set(Object.values(m.urls)).size).toBe(6);
    const creds = seedMediaDemo(m, { count: 10, now: new Date('2026-11-20T00:00:00Z') });
    expect(creds).toBe(DEMO_CREDENTIALS);
    expect(m.wantedly.entries(creds.wantedly.apiKey)).toHaveLength(10);
    expect(m.findy.applicants(creds.findy.email)[0].age).toBeUndefined();
    expect(m.green.applicants(creds.green.companyId)[0].age).toBeGreaterThan(0);
  });

  it('control API over HTTP: accounts, applicants, faults, counters, reset', async () => {
    const base = m.paiza.url;
    expect((await admin(base, 'reset', 'POST')).status).toBe(200);
    expect((await admin(base, 'accounts', 'POST', { login: 'u1', password: 'p1' })).status).toBe(201);
    const gen = await admin(base, 'accounts/u1/applicants', 'POST', { generate: { count: 3, seed: 2 } });
    expect(gen.body.data).toHaveLength(3);
    expect(gen.body.data[0].extra.paizaランク).toMatch(/^[SABC]$/);
    expect((await admin(base, 'faults', 'POST', { kind: 'error', status: 500, times: 1 })).status).toBe(201);
    expect((await fetch(`${base}/login`)).status).toBe(500);
    expect((await fetch(`${base}/login`)).status).toBe(200);
    const counters = await admin(base, 'counters');
    expect(counters.body.requests).toBe(2);
    expect((await admin(m.wantedly.url, 'accounts', 'POST', { apiKey: 'k-http' })).status).toBe(201);
    const w = await admin(m.wantedly.url, 'accounts/k-http/entries', 'POST', { generate: { count: 4 } });
    expect(w.body.data).toHaveLength(4);
  });

  it('console: CSRF, cookies, wrong-password wording per medium, 20 per page, filters and sort', async () => {
    const g = m.green;
    g.reset();
    g.addAccount({ login: 'C-1', password: 'pw' });
    g.generateApplicants('C-1', { count: 45, start: '2026-11-01T00:00:00Z' });
    expect((await consoleLogin(g.url, 'company_id', 'C-1', 'pw', 'forged')).status).toBe(403);
    const bad = await consoleLogin(g.url, 'company_id', 'C-1', 'nope');
    expect(await bad.text()).toContain('企業IDまたはパスワードが正しくありません');
    const ok = await consoleLogin(g.url, 'company_id', 'C-1', 'pw');
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/applicants');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^session=[^;]+;.*HttpOnly/);
    const get = (q: string) =>
      fetch(`${g.url}/applicants${q}`, { headers: { cookie: cookie.split(';')[0] }, redirect: 'manual' }).then((r) => r.text());
    const p1 = await get('');
    expect((p1.match(/<tr data-row>/g) ?? []).length).toBe(20);
    expect(p1).toContain('次へ');
    expect(p1.indexOf('2026/11/01 09:44')).toBeLessThan(p1.indexOf('2026/11/01 09:43')); // newest first by default
    const filtered = await get('?sort=applied_asc&from=2026-11-01T00:40:00.000Z');
    expect((filtered.match(/<tr data-row>/g) ?? []).length).toBe(5);
    expect(filtered).not.toContain('次へ');
    g.expireSessions();
    const expired = await fetch(`${g.url}/applicants`, { headers: { cookie: cookie.split(';')[0] }, redirect: 'manual' });
    expect(expired.status).toBe(302);
    expect(expired.headers.get('location')).toMatch(/^\/login/);
  });

  it('wantedly: page size capped at 100, oldest first, 401 body shape', async () => {
    const w = m.wantedly;
    w.reset();
    w.addAccount({ apiKey: 'k' });
    w.generateEntries('k', { count: 120, tieEvery: 3 });
    const r = await fetch(`${w.url}/v1/entries?limit=500`, { headers: { authorization: 'Bearer k' } });
    const body: any = await r.json();
    expect(body.data).toHaveLength(100);
    expect(body.has_more).toBe(true);
    for (let i = 1; i < body.data.length; i++) {
      const [a, b] = [body.data[i - 1], body.data[i]];
      expect(a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id)).toBe(true);
    }
    expect(body.data.some((e: { kind: string }) => e.kind === 'meetup')).toBe(true);
    expect(body.data[0]).not.toHaveProperty('age');
    const unauth = await fetch(`${w.url}/v1/entries`, { headers: { authorization: 'Bearer nope' } });
    expect(unauth.status).toBe(401);
    expect(((await unauth.json()) as any).error.code).toBe('unauthorized');
  });
});
