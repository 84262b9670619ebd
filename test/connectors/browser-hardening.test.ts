/**
 * Chromium hardening: the browser gets a minimal environment (no app secrets), and the console
 * connector never navigates outside the medium's configured origin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMediumConsole, type ConsoleEmulator } from '../../emulators/media-console/index';
import { BROWSER_ENV_ALLOWED, browserEnv, closeBrowser, getBrowser } from '../../connectors/browser';
import { getConnector } from '../../connectors/index';
import { rowToApplicant } from '../../connectors/console/parse';
import { CONSOLE_CONFIGS } from '../../connectors/console/config';
import { ServiceError, type Credentials } from '../../connectors/types';
import { rejectsWith } from '../helpers/rejects';

const SECRETS = {
  ENCRYPTION_KEY: 'k1:c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=',
  SLACK_CLIENT_SECRET: 'slack-client-secret-value',
  SLACK_SIGNING_SECRET: 'slack-signing-secret-value',
  SLACK_BOT_TOKEN: 'xoxb-not-a-real-token',
  MONGODB_URI: 'mongodb://user:pass@db.internal:27017',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  LD_PRELOAD: '/tmp/evil.so',
  NODE_OPTIONS: '--require /tmp/evil.js',
};

describe('Chromium environment', () => {
  it('browserEnv keeps only the allowed variables (PATH, HOME, TMPDIR, LANG, TZ)', () => {
    const env = browserEnv({
      ...SECRETS,
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/home/app',
      LANG: 'ja_JP.UTF-8',
      TZ: 'Asia/Tokyo',
      TMPDIR: '/var/tmp',
      USER: 'app',
    });
    expect(env).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/home/app',
      LANG: 'ja_JP.UTF-8',
      TZ: 'Asia/Tokyo',
      TMPDIR: '/var/tmp',
    });
    for (const k of Object.keys(env)) expect(BROWSER_ENV_ALLOWED).toContain(k);
  });

  it('without HOME or PATH it falls back to a temp dir and a standard PATH', () => {
    const env = browserEnv({ ...SECRETS });
    expect(Object.keys(env).sort()).toEqual(['HOME', 'PATH']);
    expect(env.PATH).toMatch(/\/usr\/bin/);
    expect(env.HOME).toBeTruthy();
    for (const v of Object.values(env)) for (const s of Object.values(SECRETS)) expect(v).not.toContain(s);
  });

  it('the shared browser is launched with that environment, not process.env', async () => {
    await closeBrowser();
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS);
    const spy = vi.spyOn(chromium, 'launch');
    try {
      const b = await getBrowser();
      expect(b.isConnected()).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      const opts = spy.mock.calls[0][0]!;
      expect(opts.env).toBeDefined();
      const keys = Object.keys(opts.env!);
      for (const k of keys) expect(BROWSER_ENV_ALLOWED).toContain(k);
      for (const k of Object.keys(SECRETS)) expect(keys).not.toContain(k);
      expect(JSON.stringify(opts.env)).not.toContain('secret');
    } finally {
      spy.mockRestore();
      for (const k of Object.keys(SECRETS)) if (!(k in saved)) delete process.env[k];
      await closeBrowser();
    }
  });
});

/**
 * A pass-through proxy in front of the BizReach emulator that rewrites the list page's 「次へ」 link
 * (or its applicant links) to point at another local server — a console page handing the
 * connector a link to a foreign origin.
 */
function startProxy(target: string, rewrite: (html: string) => string, redirectTo: (path: string) => string | null = () => null) {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const to = redirectTo(req.url ?? '/');
    if (to) {
      res.writeHead(302, { location: to });
      res.end();
      return;
    }
    const up = http.request(
      { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } },
      (upRes) => {
        const isHtml = String(upRes.headers['content-type'] ?? '').includes('text/html');
        if (!isHtml) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, 'content-length': body.length });
          res.end(body);
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return server;
}

const listen = (s: http.Server) =>
  new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
const close = (s: http.Server) => new Promise<void>((r) => s.close(() => r()));

describe('console navigation stays on the configured origin', () => {
  const login = 'saiyo@example.co.jp';
  const password = 'pw-origin-123';
  const creds: Credentials = { medium: 'bizreach', email: login, password };
  const connector = getConnector('bizreach');
  let emu: ConsoleEmulator;
  let foreignHits: string[];
  let foreign: http.Server;
  let foreignUrl: string;
  let mode: 'next' | 'applicant' | 'redirect' | 'none' = 'none';
  let proxy: http.Server;
  let proxyUrl: string;

  beforeAll(async () => {
    emu = await startMediumConsole('bizreach');
    foreignHits = [];
    foreign = http.createServer((req, res) => {
      foreignHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>応募者一覧</title><h1>応募者一覧</h1>');
    });
    // "localhost" vs 127.0.0.1: another origin even on the same machine.
    foreignUrl = (await listen(foreign)).replace('127.0.0.1', 'localhost');
    proxy = startProxy(
      emu.url,
      (html) => {
        if (mode === 'next') return html.replace(/(<a rel="next" href=")(\/applicants\?)/, `$1${foreignUrl}$2`);
        if (mode === 'applicant') return html.replace(/(<a class="applicant-link" href=")(\/applicants\/)/, `$1${foreignUrl}$2`);
        return html;
      },
      (path) => (mode === 'redirect' && /[?&]page=2\b/.test(path) ? `${foreignUrl}${path}` : null),
    );
    proxyUrl = await listen(proxy);
  });
  afterAll(async () => {
    await closeBrowser();
    await close(proxy);
    await close(foreign);
    await emu.close();
  });
  beforeEach(() => {
    emu.reset();
    emu.addAccount({ login, password });
    emu.generateApplicants(login, { count: 30 });
    foreignHits.length = 0;
    mode = 'none';
  });

  it('control: through the proxy, unmodified pages are read across both pages', async () => {
    const r = await connector.fetchApplicants(creds, { cursor: null, limit: 100 }, { baseUrl: proxyUrl, timeoutMs: 10_000 });
    expect(r.applicants).toHaveLength(30);
    for (const a of r.applicants) expect(new URL(a.profileUrl).origin).toBe(proxyUrl);
  });

  it('a 次へ link to another origin is not followed: ServiceError(layout_changed), no request reaches it', async () => {
    mode = 'next';
    const err = await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 100 }, { baseUrl: proxyUrl, timeoutMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(foreignHits).toEqual([]);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).reason).toBe('layout_changed');
    expect(err.message).toMatch(/another origin/);
  });

  it('a same-origin 次へ link that redirects to another origin: the browser does not follow it', async () => {
    mode = 'redirect';
    const err = await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 100 }, { baseUrl: proxyUrl, timeoutMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(foreignHits).toEqual([]);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).reason).toBe('layout_changed');
  });

  it('an applicant link to another origin is a layout change (never kept as the profile link)', async () => {
    mode = 'applicant';
    const err = await rejectsWith(connector.fetchApplicants(creds, { cursor: null, limit: 100 }, { baseUrl: proxyUrl, timeoutMs: 10_000 }));
    expect((err as ServiceError).reason).toBe('layout_changed');
    expect(foreignHits).toEqual([]);
  });

  it('a base URL with a path prefix still accepts same-origin links; other-origin row links are refused', () => {
    const c = CONSOLE_CONFIGS.bizreach;
    const row = {
      appliedAtText: '2026/11/20 14:03',
      name: '山田 太郎',
      ageText: '31歳',
      applicantHref: '/applicants/BR1',
      postingHref: '/jobs/J1',
      postingTitle: 'Backend',
    };
    expect(rowToApplicant(row, c, 'https://console.example.jp/company/applicants').profileUrl).toBe(
      'https://console.example.jp/applicants/BR1',
    );
    for (const bad of [
      { applicantHref: 'https://evil.example/applicants/BR1' },
      { applicantHref: '//evil.example/applicants/BR1' },
      { postingHref: 'https://evil.example/jobs/J1' },
      { applicantHref: 'http://console.example.jp/applicants/BR1' }, // scheme differs: another origin
    ]) {
      try {
        rowToApplicant({ ...row, ...bad }, c, 'https://console.example.jp/applicants');
        throw new Error('expected layout_changed');
      } catch (err) {
        expect(err).toBeInstanceOf(ServiceError);
        expect((err as ServiceError).reason).toBe('layout_changed');
      }
    }
  });
});
