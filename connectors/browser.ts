/**
 * One shared Chromium per process for the console connectors (playwright-core + Debian chromium).
 * - launched lazily, relaunched if it crashed or was closed;
 * - a new BrowserContext per login, always closed in finally;
 * - a semaphore bounds concurrent browser sessions (default 2; configureBrowser / MEDIA_BROWSER_CONCURRENCY);
 * - every step bounded by the caller's timeout (default timeouts on the context);
 * - Chromium missing → ServiceError('browser_missing'); checkChromium() for start-up;
 * - Chromium gets a minimal environment (browserEnv), never the app's secrets in process.env.
 */
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { ServiceError } from './types';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const INSTALL_HINT = 'sudo apt-get install -y chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** The only environment variables Chromium gets (playwright's default would be all of process.env). */
export const BROWSER_ENV_ALLOWED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The environment Chromium is launched with: PATH, HOME (a temp dir when unset), and TMPDIR, LANG,
 * TZ when set — nothing else, so ENCRYPTION_KEY, SLACK_CLIENT_SECRET, MONGODB_URI, LD_PRELOAD,
 * NODE_OPTIONS… never reach the browser process (or a page that compromises it).
 */
export function browserEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BROWSER_ENV_ALLOWED) {
    const v = source[k];
    if (typeof v === 'string' && v !== '') env[k] = v;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME ??= tmpdir();
  return env;
}

interface BrowserConfig {
  executablePath: string;
  maxConcurrent: number;
  launchTimeoutMs: number;
}

const envConcurrency = Number(process.env.MEDIA_BROWSER_CONCURRENCY);
let config: BrowserConfig = {
  executablePath: process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH,
  maxConcurrent: Number.isInteger(envConcurrency) && envConcurrency > 0 ? envConcurrency : 2,
  launchTimeoutMs: 30_000,
};

let browser: Browser | null = null;
let launching: Promise<Browser> | null = null;
let launches = 0;

// ---------- semaphore ----------
let active = 0;
const waiters: Array<() => void> = [];

function acquire(signal?: AbortSignal): Promise<() => void> {
  return new Promise((resolve, reject) => {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      active--;
      const next = waiters.shift();
      if (next) next();
    };
    const grant = () => {
      signal?.removeEventListener('abort', onAbort);
      active++;
      resolve(release);
    };
    const onAbort = () => {
      const i = waiters.indexOf(grant);
      if (i >= 0) waiters.splice(i, 1);
      reject(new ServiceError('timeout', 'aborted while waiting for a browser slot'));
    };
    if (signal?.aborted) return onAbort();
    if (active < config.maxConcurrent) return grant();
    waiters.push(grant);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Changes the Chromium path and/or the concurrency limit (tests, app start-up). */
export function configureBrowser(opts: { executablePath?: string; maxConcurrent?: number; launchTimeoutMs?: number }): void {
  const pathChanged = opts.executablePath !== undefined && opts.executablePath !== config.executablePath;
  config = {
    executablePath: opts.executablePath ?? config.executablePath,
    maxConcurrent: opts.maxConcurrent ?? config.maxConcurrent,
    launchTimeoutMs: opts.launchTimeoutMs ?? config.launchTimeoutMs,
  };
  while (active < config.maxConcurrent && waiters.length) waiters.shift()!();
  if (pathChanged) void closeBrowser();
}

export function browserStats(): { launches: number; activeSessions: number; waiting: number; maxConcurrent: number; connected: boolean } {
  return {
    launches,
    activeSessions: active,
    waiting: waiters.length,
    maxConcurrent: config.maxConcurrent,
    connected: !!browser?.isConnected(),
  };
}

async function executableExists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function missingMessage(path: string, why: string): string {
  return `Chromium is not usable at ${path} (${why}); install it with \`${INSTALL_HINT}\` or set CHROMIUM_PATH`;
}

async function launch(): Promise<Browser> {
  const path = config.executablePath;
  if (!(await executableExists(path))) throw new ServiceError('browser_missing', missingMessage(path, 'not found'));
  try {
    const b = await chromium.launch({
      executablePath: path,
      headless: true,
      args: LAUNCH_ARGS,
      env: browserEnv(),
      timeout: config.launchTimeoutMs,
    });
    launches++;
    b.on('disconnected', () => {
      if (browser === b) browser = null;
    });
    return b;
  } catch (err) {
    const first = String((err as Error)?.message ?? err).split('\n')[0];
    throw new ServiceError('browser_missing', missingMessage(path, first.slice(0, 200)));
  }
}

/** The shared browser, launched on first use and relaunched after a crash. */
export async function getBrowser(): Promise<Browser> {
  if (browser?.isConnected()) return browser;
  browser = null;
  if (!launching) {
    launching = launch()
      .then((b) => {
        browser = b;
        return b;
      })
      .finally(() => {
        launching = null;
      });
  }
  return launching;
}

/**
 * Runs `fn` with a fresh BrowserContext (one login), within the concurrency limit. The context is
 * closed whatever happens; an abort of `signal` closes it early.
 */
export async function withBrowserContext<T>(
  opts: { timeoutMs: number; signal?: AbortSignal },
  fn: (context: BrowserContext) => Promise<T>,
): Promise<T> {
  const release = await acquire(opts.signal);
  let context: BrowserContext | null = null;
  // Playwright calls in flight do not always settle when their context is closed under them
  // (e.g. newPage), so an abort rejects through this promise instead of waiting for them.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(new ServiceError('timeout', 'aborted'));
      void context?.close().catch(() => {});
    };
  });
  aborted.catch(() => {});
  try {
    if (opts.signal?.aborted) throw new ServiceError('timeout', 'aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let b = await Promise.race([getBrowser(), aborted]);
    try {
      context = await Promise.race([withTimeout(b.newContext(CONTEXT_OPTIONS), opts.timeoutMs, 'creating a browser context'), aborted]);
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      // The browser died between the check and the call: relaunch once.
      browser = null;
      b = await Promise.race([getBrowser(), aborted]);
      context = await Promise.race([withTimeout(b.newContext(CONTEXT_OPTIONS), opts.timeoutMs, 'creating a browser context'), aborted]);
    }
    context.setDefaultTimeout(opts.timeoutMs);
    context.setDefaultNavigationTimeout(opts.timeoutMs);
    if (opts.signal?.aborted) throw new ServiceError('timeout', 'aborted');
    return await Promise.race([fn(context), aborted]);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (context) await withTimeout(context.close(), 10_000, 'closing the browser context').catch(() => {});
    release();
  }
}

const CONTEXT_OPTIONS = { locale: 'ja-JP', timezoneId: 'Asia/Tokyo', javaScriptEnabled: true } as const;

/** Bounds a Playwright call that has no timeout option of its own (newPage, newContext, close). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServiceError('timeout', `browser did not finish ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Closes the shared browser (shutdown, tests). The next use relaunches it. */
export async function closeBrowser(): Promise<void> {
  const pending = launching;
  const b = browser ?? (pending ? await pending.catch(() => null) : null);
  browser = null;
  if (b) await b.close().catch(() => {});
}

/**
 * Start-up check: is Chromium there and does it start? One-line message with the install hint
 * when not. `launch: false` only checks that the executable exists.
 */
export async function checkChromium(
  path: string = config.executablePath,
  opts: { launch?: boolean; timeoutMs?: number } = {},
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (!(await executableExists(path))) return { ok: false, message: missingMessage(path, 'not found') };
  if (opts.launch === false) return { ok: true };
  try {
    const b = await chromium.launch({
      executablePath: path,
      headless: true,
      args: LAUNCH_ARGS,
      env: browserEnv(),
      timeout: opts.timeoutMs ?? 30_000,
    });
    await b.close();
    return { ok: true };
  } catch (err) {
    const first = String((err as Error)?.message ?? err)
      .split('\n')[0]
      .slice(0, 200);
    return { ok: false, message: missingMessage(path, first) };
  }
}
