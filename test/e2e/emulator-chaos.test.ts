/**
 * The emulators' seeded fault plan (emulators/chaos.ts), and what the app's Slack side makes of the
 * answers it damages: the same seed draws the same faults; a fault before handling leaves no trace,
 * one after handling took effect; a card post whose answer is garbage or lost is "ambiguous" (the
 * channel's history decides), never "failed", and a DM is never sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { ChaosPlan, CHAOS_KINDS } from '../../emulators/chaos';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { createPacedPosting } from '../../src/slack/paced-poster';
import { dmUser } from '../../src/notifier/dm';

describe('the fault plan', () => {
  it('draws the same faults from the same seed, at about the rates asked', () => {
    const rates = { error: 0.1, rate_limit: 0.1, hang: 0.05, garbage: 0.05, lost: 0.05 };
    const a = new ChaosPlan({ seed: 42, rates });
    const b = new ChaosPlan({ seed: 42, rates });
    const c = new ChaosPlan({ seed: 43, rates });
    const draws = (p: ChaosPlan) => Array.from({ length: 2000 }, () => p.draw('/v1/entries'));
    const da = draws(a);
    expect(draws(b)).toEqual(da);
    expect(draws(c)).not.toEqual(da);
    expect(a.counts.error / 2000).toBeGreaterThan(0.07);
    expect(a.counts.error / 2000).toBeLessThan(0.13);
    expect(da.filter((k) => k === null).length / 2000).toBeGreaterThan(0.6);
  });
  it('refuses rates that are not probabilities', () => {
    expect(() => new ChaosPlan({ seed: 1, rates: { error: 0.7, hang: 0.6 } })).toThrow(/rates/);
    expect(() => new ChaosPlan({ seed: 1, rates: { error: -1 } })).toThrow(/rates/);
  });
  it('only covers the paths given', () => {
    const p = new ChaosPlan({ seed: 1, rates: { error: 1 }, paths: ['/api/chat.'] });
    expect(p.draw('/api/users.info')).toBeNull();
    expect(p.draw('/api/chat.postMessage')).toBe('error');
    expect(CHAOS_KINDS).toContain('truncate');
  });
});

describe('a medium under a fault plan', () => {
  let w: WantedlyEmulator;
  beforeAll(async () => {
    w = await startWantedlyEmulator({ port: 0 });
    w.addAccount({ apiKey: 'wantedly-chaos-unit-00001' });
    w.setRateLimit(0);
  });
  afterAll(() => w.close());
  const get = () => fetch(`${w.url}/v1/projects`, { headers: { authorization: 'Bearer wantedly-chaos-unit-00001' } });

  it('answers 5xx, 429 with Retry-After, garbage and dropped connections as planned, set over the admin API', async () => {
    const set = (rates: object) =>
      fetch(`${w.url}/__admin/chaos`, { method: 'POST', body: JSON.stringify({ seed: 7, rates, retryAfterSec: 9, hangMs: 50 }) });
    expect((await set({ error: 1 })).status).toBe(201);
    expect([500, 502, 503]).toContain((await get()).status);
    await set({ rate_limit: 1 });
    const rl = await get();
    expect(rl.status).toBe(429);
    expect(rl.headers.get('retry-after')).toBe('9');
    await set({ garbage: 1 });
    const g = await get();
    expect(g.status).toBe(200);
    await expect(g.json()).rejects.toThrow();
    for (const kind of ['reset', 'hang', 'lost', 'truncate']) {
      await set({ [kind]: 1 });
      await expect(get().then((r) => r.text())).rejects.toThrow();
    }
    const counts = (await (await fetch(`${w.url}/__admin/chaos`)).json()) as { counts: Record<string, number> };
    expect(counts.counts.truncate).toBe(1);
    await fetch(`${w.url}/__admin/chaos`, { method: 'DELETE' });
    expect((await get()).status).toBe(200);
  });
});

describe('Slack under a fault plan', () => {
  let slack: SlackEmulator;
  let client: WebClient;
  const T = 'T0CHAOSUNIT';
  beforeAll(async () => {
    slack = await startSlackEmulator({ port: 0, signingSecret: 's', rateLimits: false });
    slack.addTeam({ id: T, name: 'chaos' });
    slack.addUser({ teamId: T, id: 'U0CHAOSU', name: 'u' });
    const token = slack.issueBotToken(T);
    const bot = slack.botUser(T);
    slack.addChannel({ teamId: T, id: 'C0CHAOSU', name: 'jobs', members: [bot.userId] });
    client = new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 2_000 });
  });
  afterAll(() => slack.close());
  const poster = () =>
    createPacedPosting({
      postingClientFor: async () => client,
      logger: { info: () => undefined, warn: () => undefined },
      settings: { intervalMs: 0, maxRetryAfterSec: 1 },
    }).forTeam(T);

  it('a card whose answer is garbage or lost was posted and is ambiguous, not failed', async () => {
    for (const kind of ['garbage', 'truncate', 'lost'] as const) {
      slack.reset();
      slack.setChaos({ seed: 3, rates: { [kind]: 1 }, hangMs: 100, paths: ['/api/chat.postMessage'] });
      const res = await (await poster())!.post('C0CHAOSU', { text: 'card', blocks: [] });
      expect(res.kind, kind).toBe('ambiguous');
      expect(slack.messages({ channel: 'C0CHAOSU' })).toHaveLength(1);
    }
    slack.setChaos(null);
  });

  it('a card refused before it was handled (5xx) is ambiguous too; nothing was posted', async () => {
    slack.reset();
    slack.setChaos({ seed: 3, rates: { error: 1 }, paths: ['/api/chat.postMessage'] });
    const res = await (await poster())!.post('C0CHAOSU', { text: 'card', blocks: [] });
    expect(res.kind).toBe('ambiguous');
    expect(slack.messages({ channel: 'C0CHAOSU' })).toHaveLength(0);
    slack.setChaos(null);
  });

  it('a DM whose answer is lost is not sent again; one refused with 429 is sent once after the wait', async () => {
    const gateway = {
      clientFor: async () => new WebClient(client.token, { slackApiUrl: slack.apiUrl }),
      postingClientFor: async () => client,
      localeOf: async () => 'en' as const,
      userFacts: async () => null,
      refreshUser: () => undefined,
    };
    const dmDeps = { slack: gateway, logger: { warn: () => undefined } };
    slack.reset();
    slack.setChaos({ seed: 5, rates: { lost: 1 }, hangMs: 100, paths: ['/api/chat.postMessage'] });
    expect(await dmUser(dmDeps, T, 'U0CHAOSU', () => ({ text: 'hello' }))).toBe(false);
    slack.setChaos({ seed: 5, rates: { rate_limit: 1 }, retryAfterSec: 1, paths: ['/api/chat.postMessage'] });
    const sent = dmUser(dmDeps, T, 'U0CHAOSU', () => ({ text: 'again' }));
    await new Promise((r) => setTimeout(r, 200));
    slack.setChaos(null);
    expect(await sent).toBe(true);
    const texts = slack.messages({ teamId: T }).map((m) => m.text);
    expect(texts.filter((t) => t === 'hello')).toHaveLength(1);
    expect(texts.filter((t) => t === 'again')).toHaveLength(1);
  });

  it('a notice with metadata whose answer is lost or unreadable is found in the DM history: sent exactly once', async () => {
    const gateway = {
      clientFor: async () => new WebClient(client.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
      postingClientFor: async () => client,
      localeOf: async () => 'en' as const,
      userFacts: async () => null,
      refreshUser: () => undefined,
    };
    const dmDeps = { slack: gateway, logger: { warn: () => undefined } };
    for (const kind of ['lost', 'garbage', 'error'] as const) {
      slack.reset();
      slack.setChaos({ seed: 5, rates: { [kind]: 1 }, hangMs: 100, paths: ['/api/chat.postMessage'] });
      const metadata = { event_type: 'hire_relay_test', event_payload: { runId: kind } };
      const sent = dmUser(dmDeps, T, 'U0CHAOSU', () => ({ text: `notice ${kind}`, metadata }));
      await new Promise((r) => setTimeout(r, 250));
      slack.setChaos(null); // Slack answers again: the history shows whether it went out
      expect(await sent, kind).toBe(true);
      expect(
        slack.messages({ teamId: T }).filter((m) => m.text === `notice ${kind}`),
        kind,
      ).toHaveLength(1);
    }
  });
});
