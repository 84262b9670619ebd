/**
 * Drives an employer console with the shared Chromium: log in through the form (by label), then
 * read list pages. Every step is bounded by ctx.timeoutMs (context default timeouts).
 * Navigation stays on the origin of ctx.baseUrl: a link elsewhere is refused before navigating
 * (ServiceError('layout_changed')), main-frame navigations to another origin are aborted in the
 * browser, and a page that ends up on another origin (a redirect) is a layout change too.
 */
import type { Page } from 'playwright-core';
import { withBrowserContext, withTimeout } from '../browser';
import { parseRetryAfter } from '../errors';
import { AuthError, ServiceError, type ConnectorContext } from '../types';
import type { ConsoleConfig } from './config';
import { classifyPage, parseListPage, textOf, type ParsedListPage } from './parse';

export interface Loaded {
  status: number;
  retryAfter: string | undefined;
  url: string;
  html: string;
}

export interface ConsoleSession {
  /** Opens a list page (absolute URL) and parses it; re-logs in once if the session expired. */
  openList(url: string): Promise<ParsedListPage & { url: string }>;
  page: Page;
}

/** base + path, keeping a path prefix of the base (e.g. https://host/company + /login). */
function joinUrl(base: string, path: string): string {
  return new URL(path.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`).toString();
}

/** Throws ServiceError('layout_changed') unless `url` is on `origin` (the medium's configured base). */
export function assertSameOrigin(config: ConsoleConfig, origin: string, url: string, what: string): void {
  let target: string;
  try {
    target = new URL(url).origin;
  } catch {
    throw new ServiceError('layout_changed', `${config.label}: ${what} is not a URL`);
  }
  if (target !== origin)
    throw new ServiceError('layout_changed', `${config.label}: ${what} points to another origin (${target.slice(0, 100)}); not followed`);
}

async function goto(page: Page, config: ConsoleConfig, origin: string, url: string): Promise<Loaded> {
  assertSameOrigin(config, origin, url, 'a link');
  const resp = await page.goto(url, { waitUntil: 'domcontentloaded' }).catch((err: unknown) => {
    // confineToOrigin refused a hop (a redirect) to another origin.
    if (/ERR_BLOCKED_BY_CLIENT/.test(String((err as Error)?.message)))
      throw new ServiceError('layout_changed', `${config.label}: the page redirected to another origin; not followed`);
    throw err;
  });
  assertSameOrigin(config, origin, page.url(), 'the page reached');
  return {
    status: resp?.status() ?? 0,
    retryAfter: resp?.headers()['retry-after'],
    url: page.url(),
    html: await page.content(),
  };
}

/**
 * Fails, in the browser, every document request (navigation) away from `origin` — links, form
 * actions, scripts and redirect hops alike. Raw CDP Fetch interception limited to documents:
 * Playwright's page.route() does not see redirect hops, and only documents pause here.
 */
async function confineToOrigin(page: Page, origin: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Fetch.requestPaused', (ev: { requestId: string; request: { url: string } }) => {
    let allowed = false;
    try {
      allowed = new URL(ev.request.url).origin === origin;
    } catch {
      /* not a URL: refuse */
    }
    const call = allowed
      ? cdp.send('Fetch.continueRequest', { requestId: ev.requestId })
      : cdp.send('Fetch.failRequest', { requestId: ev.requestId, errorReason: 'BlockedByClient' });
    call.catch(() => {});
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] });
}

async function submitAndWait(
  page: Page,
  config: ConsoleConfig,
  origin: string,
  click: () => Promise<void>,
  timeoutMs: number,
): Promise<Loaded> {
  const respP = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && !(r.status() >= 300 && r.status() < 400),
    { timeout: timeoutMs },
  );
  respP.catch(() => {});
  await click();
  const resp = await respP;
  await page.waitForLoadState('domcontentloaded');
  assertSameOrigin(config, origin, page.url(), 'the page reached');
  return { status: resp.status(), retryAfter: resp.headers()['retry-after'], url: page.url(), html: await page.content() };
}

/** Turns HTTP-level failures into typed errors. */
export function checkStatus(config: ConsoleConfig, r: Loaded): void {
  const text = () => textOf(r.html);
  if (r.status === 429)
    throw new ServiceError('rate_limited', `${config.label}: too many requests (429)`, parseRetryAfter(r.retryAfter) ?? 60_000);
  if (r.status === 503 && /メンテナンス/.test(text()))
    throw new ServiceError('unavailable', `${config.label}: under maintenance (503)`, parseRetryAfter(r.retryAfter));
  if (r.status >= 500) throw new ServiceError('unavailable', `${config.label}: server error ${r.status}`, parseRetryAfter(r.retryAfter));
  if (r.status === 403) {
    if (/権限がありません/.test(text()))
      throw new AuthError('insufficient_role', `${config.label}: the account may not view applicants (権限がありません)`);
    throw new ServiceError('bad_response', `${config.label}: request refused (403)`);
  }
  if (r.status === 404) throw new ServiceError('layout_changed', `${config.label}: page not found (404) at ${new URL(r.url).pathname}`);
  if (r.status === 0) throw new ServiceError('unavailable', `${config.label}: no response`);
  if (r.status >= 400) throw new ServiceError('bad_response', `${config.label}: HTTP ${r.status}`);
}

/** Throws the error a non-list page means; returns normally for 'list'. */
function throwForPage(config: ConsoleConfig, r: Loaded): void {
  const kind = classifyPage(r.html, r.url, config);
  switch (kind) {
    case 'list':
      return;
    case 'login_failed':
      throw new AuthError('invalid_credentials', `${config.label}: ${config.loginFieldLabel}またはパスワードが正しくありません`);
    case 'locked':
      throw new AuthError('locked', `${config.label}: アカウントがロックされています`);
    case 'otp':
      throw new AuthError('needs_human', `${config.label}: 認証コード (two-step verification) must be entered by a person`);
    case 'captcha':
      throw new AuthError('needs_human', `${config.label}: the login asks for a CAPTCHA (画像認証)`);
    case 'forbidden':
      throw new AuthError('insufficient_role', `${config.label}: the account may not view applicants (権限がありません)`);
    case 'password_change':
      throw new AuthError('needs_human', `${config.label}: the medium asks for a password change`);
    case 'maintenance':
      throw new ServiceError('unavailable', `${config.label}: under maintenance`);
    case 'login':
      throw new ServiceError('layout_changed', `${config.label}: still on the login page after submitting`);
    default:
      throw new ServiceError('layout_changed', `${config.label}: unexpected page ${new URL(r.url).pathname}`);
  }
}

async function login(page: Page, config: ConsoleConfig, loginId: string, password: string, ctx: ConnectorContext): Promise<Loaded> {
  const origin = new URL(ctx.baseUrl).origin;
  const r = await goto(page, config, origin, joinUrl(ctx.baseUrl, config.loginPath));
  checkStatus(config, r);
  if (classifyPage(r.html, r.url, config) === 'maintenance') throw new ServiceError('unavailable', `${config.label}: under maintenance`);
  const idField = page.getByLabel(config.loginFieldLabel, { exact: true });
  const pwField = page.getByLabel('パスワード', { exact: true });
  if ((await idField.count()) !== 1 || (await pwField.count()) !== 1)
    throw new ServiceError('layout_changed', `${config.label}: login form (${config.loginFieldLabel} / パスワード) not found`);
  await idField.fill(loginId);
  await pwField.fill(password);
  const submit = page.locator('form').filter({ has: pwField }).locator('button[type=submit], input[type=submit]').first();
  if ((await submit.count()) !== 1) throw new ServiceError('layout_changed', `${config.label}: login button not found`);
  // A value the form itself rejects (e.g. not an e-mail address in an e-mail field) would never
  // be submitted: that is the user's input to fix, not a timeout.
  const valid = await page
    .locator('form')
    .filter({ has: pwField })
    .first()
    .evaluate((f) => (f as unknown as { checkValidity(): boolean }).checkValidity());
  if (!valid)
    throw new AuthError('invalid_credentials', `${config.label}: the ${config.loginFieldLabel} is not in the form the login page accepts`);
  const after = await submitAndWait(page, config, origin, () => submit.click(), ctx.timeoutMs);
  checkStatus(config, after);
  const kind = classifyPage(after.html, after.url, config);
  if (kind !== 'unknown') throwForPage(config, after);
  return after;
}

/** Logs in with a fresh browser context and runs `fn`; the context is always closed. */
export async function withConsoleSession<T>(
  config: ConsoleConfig,
  loginId: string,
  password: string,
  ctx: ConnectorContext,
  fn: (s: ConsoleSession) => Promise<T>,
): Promise<T> {
  return withBrowserContext({ timeoutMs: ctx.timeoutMs, signal: ctx.signal }, async (context) => {
    const origin = new URL(ctx.baseUrl).origin;
    const page = await withTimeout(context.newPage(), ctx.timeoutMs, 'opening a page');
    await confineToOrigin(page, origin);
    await login(page, config, loginId, password, ctx);
    let relogins = 0;
    const session: ConsoleSession = {
      page,
      async openList(url) {
        for (;;) {
          const r = await goto(page, config, origin, url);
          checkStatus(config, r);
          const kind = classifyPage(r.html, r.url, config);
          if (kind === 'login' && relogins < 2) {
            // Session expired: log in again and retry the same page.
            relogins++;
            await login(page, config, loginId, password, ctx);
            continue;
          }
          throwForPage(config, r);
          return { ...parseListPage(r.html, config, r.url), url: r.url };
        }
      },
    };
    return fn(session);
  });
}

export function listUrl(config: ConsoleConfig, baseUrl: string, from: string | null): string {
  const u = new URL(joinUrl(baseUrl, config.listPath));
  u.searchParams.set('sort', 'applied_asc');
  if (from) u.searchParams.set('from', from);
  u.searchParams.set('page', '1');
  return u.toString();
}
