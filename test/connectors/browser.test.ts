/** connectors/browser.ts: start-up check, missing Chromium, concurrency limit, relaunch after a crash. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediumConsole, type ConsoleEmulator } from '../../emulators/media-console/index';
import { browserStats, checkChromium, closeBrowser, configureBrowser, getBrowser } from '../../connectors/browser';
import { getConnector } from '../../connectors/index';
import { ServiceError, type Credentials } from '../../connectors/types';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let emu: ConsoleEmulator;
const creds: Credentials = { medium: 'bizreach', email: 'hr@example.jp', password: 'pw-12345' };
const connector = getConnector('bizreach');

beforeAll(async () => {
  emu = await startMediumConsole('bizreach');
  emu.addAccount({ login: 'hr@example.jp', password: 'pw-12345' });
  emu.generateApplicants('hr@example.jp', { count: 5 });
});
afterAll(async () => {
  configureBrowser({ executablePath: CHROMIUM, maxConcurrent: 2 });
  await closeBrowser();
  await emu.close();
});

describe('browser.ts', () => {
  it('checkChromium: a missing path gives one line with the install command', async () => {
    const r = await checkChromium('/nonexistent/chromium');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('sudo apt-get install -y chromium');
      expect(r.message).not.toContain('\n');
    }
    expect(await checkChromium(CHROMIUM)).toEqual({ ok: true });
  });

  it('connectors throw ServiceError(browser_missing) without Chromium', async () => {
    configureBrowser({ executablePath: '/nonexistent/chromium' });
    try {
      await connector.authenticate(creds, { baseUrl: emu.url, timeoutMs: 5_000 });
      throw new Error('expected browser_missing');
    } catch (err) {
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).reason).toBe('browser_missing');
      expect((err as Error).message).toContain('apt-get install -y chromium');
    } finally {
      configureBrowser({ executablePath: CHROMIUM });
    }
  });

  it('at most maxConcurrent sessions at once; contexts are closed afterwards', async () => {
    configureBrowser({ maxConcurrent: 1 });
    emu.injectFault({ kind: 'slow', delayMs: 200, path: '/login', times: 3 });
    let maxActive = 0;
    let sawWaiting = false;
    const runs = Promise.all([1, 2, 3].map(() => connector.authenticate(creds, { baseUrl: emu.url, timeoutMs: 10_000 })));
    let done = false;
    void runs.finally(() => (done = true));
    while (!done) {
      const s = browserStats();
      maxActive = Math.max(maxActive, s.activeSessions);
      if (s.waiting > 0) sawWaiting = true;
      await new Promise((r) => setTimeout(r, 10));
    }
    await runs;
    expect(maxActive).toBe(1);
    expect(sawWaiting).toBe(true);
    expect(browserStats().activeSessions).toBe(0);
    const b = await getBrowser();
    expect(b.contexts()).toHaveLength(0);
    configureBrowser({ maxConcurrent: 2 });
  });

  it('relaunches the shared browser after it died', async () => {
    const b = await getBrowser();
    const before = browserStats().launches;
    await b.close(); // simulates a crash
    await connector.authenticate(creds, { baseUrl: emu.url, timeoutMs: 10_000 });
    expect(browserStats().launches).toBe(before + 1);
    expect(browserStats().connected).toBe(true);
  });

  it('an aborted signal ends the session with ServiceError(timeout) and frees the slot', async () => {
    emu.injectFault({ kind: 'slow', delayMs: 2_000, path: '/login', times: 1 });
    const ac = new AbortController();
    const p = connector.authenticate(creds, { baseUrl: emu.url, timeoutMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    try {
      await p;
      throw new Error('expected abort');
    } catch (err) {
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).reason).toBe('timeout');
    }
    expect(browserStats().activeSessions).toBe(0);
  });
});
