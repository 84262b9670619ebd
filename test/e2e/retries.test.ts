/**
 * Slack retries (X-Slack-Retry-Num) are acknowledged and not acted on twice: the same event
 * (event_id) and the same slash command (trigger_id) delivered again do one thing once. A retry of a
 * delivery the app never got is still acted on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';

let h: Harness;
const T = 'T0RETRY1';
const ADMIN = 'U0RETRYADMIN';
const OTHER = 'U0RETRYOTHER';
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { installer: ADMIN, users: [{ id: OTHER, locale: 'en-US' }] });
});
afterAll(() => h?.close());

/** Resolves once the dedupe middleware logged that it dropped `key` (so no listener ran for it). */
const dropped = (key: string) =>
  eventually(() => h.logs.find((l) => l.includes('dropped a repeated Slack delivery') && l.includes(key)), `drop of ${key}`);

/** A later, unrelated delivery whose effect we wait for: anything the retry started is done by then. */
async function sentinel() {
  const seen = h.slack.calls().length;
  await h.slack.openHome({ teamId: T, userId: OTHER });
  await h.slack.waitFor(() =>
    h.slack
      .calls()
      .slice(seen)
      .find((c) => c.method === 'views.publish' && c.args.user_id === OTHER),
  );
}

describe('event retries', () => {
  it('app_home_opened delivered again with X-Slack-Retry-Num: 1 publishes Home once', async () => {
    h.slack.reset();
    const first = await h.slack.openHome({ teamId: T, userId: ADMIN });
    expect(first.status).toBe(200);
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === ADMIN);
    const eventId = JSON.parse(first.request.body).event_id as string;

    for (const n of [1, 2]) {
      const retry = await h.slack.raw(first.request, { timestamp: now(), retryNum: n, retryReason: 'http_timeout' });
      expect(retry.status).toBe(200);
    }
    await dropped(`${T}:event:${eventId}`);
    await sentinel();
    expect(h.slack.calls('views.publish').filter((c) => c.args.user_id === ADMIN)).toHaveLength(1);
  });

  it('the same event_id sent again without a retry header is not acted on twice either', async () => {
    h.slack.reset();
    const first = await h.slack.openHome({ teamId: T, userId: ADMIN });
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === ADMIN);
    const again = await h.slack.raw(first.request, { timestamp: now() });
    expect(again.status).toBe(200);
    await dropped(`${T}:event:${JSON.parse(first.request.body).event_id}`);
    await sentinel();
    expect(h.slack.calls('views.publish').filter((c) => c.args.user_id === ADMIN)).toHaveLength(1);
  });

  it('a retry of a delivery the app never received is acted on', async () => {
    h.slack.reset();
    const first = await h.slack.openHome({ teamId: T, userId: ADMIN });
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === ADMIN);
    // the same event shape with a new event_id, arriving only as retry #1 (the first attempt was lost)
    const envelope = JSON.parse(first.request.body);
    envelope.event_id = `Ev${Date.now().toString(36).toUpperCase()}LOST`;
    h.slack.reset();
    const retry = await h.slack.raw(first.request, {
      body: JSON.stringify(envelope),
      timestamp: now(),
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    expect(retry.status).toBe(200);
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === ADMIN);
  });

  it('the same event in two workspaces is two deliveries (the key is per team)', async () => {
    const T2 = 'T0RETRY2';
    await h.install(T2, { installer: 'U0RETRY2ADMIN' });
    h.slack.reset();
    const a = await h.slack.openHome({ teamId: T, userId: ADMIN });
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === ADMIN);
    const eventId = JSON.parse(a.request.body).event_id as string;
    await h.slack.sendEvent({
      teamId: T2,
      eventId,
      event: { type: 'app_home_opened', user: 'U0RETRY2ADMIN', channel: h.slack.dmChannel(T2, 'U0RETRY2ADMIN'), tab: 'home' },
    });
    await h.slack.waitForCall('views.publish', (c) => c.args.user_id === 'U0RETRY2ADMIN');
  });
});

describe('slash command retries', () => {
  it('/ats roles re-sent with a retry header opens the modal once', async () => {
    h.slack.reset();
    const first = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'roles' });
    expect(first.status).toBe(200);
    await h.slack.waitForCall('views.open');
    const retry = await h.slack.raw(first.request, { timestamp: now(), retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(retry.body).toBe('');
    await dropped(`${T}:trigger:${first.triggerId}`);
    await sentinel();
    expect(h.slack.calls('views.open')).toHaveLength(1);
    expect(first.responses()).toHaveLength(0);
  });

  it('/ats help re-sent with a retry header answers once (the retry gets an empty ack)', async () => {
    h.slack.reset();
    const first = await h.slack.slash({ teamId: T, userId: OTHER, text: 'help' });
    expect(JSON.stringify(first.json)).toContain('How to use hire-relay');
    const retry = await h.slack.raw(first.request, { timestamp: now(), retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(retry.body).toBe('');
    await dropped(`${T}:trigger:${first.triggerId}`);
  });
});
