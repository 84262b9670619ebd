import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient, WebClientEvent } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';

const SECRET = 'test-signing-secret';

function client(emu: SlackEmulator, token?: string, extra: Record<string, unknown> = {}): WebClient {
  return new WebClient(token, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logLevel: 'error' as never, ...extra });
}

async function platformError(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e: any) {
    expect(e.code).toBe(ErrorCode.PlatformError);
    return e.data;
  }
  throw new Error('expected a platform error');
}

function seed(emu: SlackEmulator): { token: string; bot: string; token2: string } {
  emu.addTeam({ id: 'T1', name: 'Acme', domain: 'acme' });
  emu.addTeam({ id: 'T2', name: 'Other', domain: 'other' });
  emu.addUser({ teamId: 'T1', id: 'U1', name: 'alice', locale: 'ja-JP', isAdmin: true });
  emu.addUser({ teamId: 'T1', id: 'U2', name: 'bob' });
  emu.addUser({ teamId: 'T2', id: 'U9', name: 'zed' });
  emu.addChannel({ teamId: 'T1', id: 'C1', name: 'general', members: ['U1', 'U2'] });
  emu.addChannel({ teamId: 'T1', id: 'C2', name: 'secret', isPrivate: true, members: ['U1'] });
  emu.addChannel({ teamId: 'T1', id: 'C3', name: 'old', members: ['U1'] });
  emu.addChannel({ teamId: 'T2', id: 'C9', name: 'general' });
  const token = emu.issueBotToken('T1', { botUserId: 'UBOT1' });
  const token2 = emu.issueBotToken('T2');
  emu.archiveChannel('C3');
  return { token, bot: 'UBOT1', token2 };
}

describe('slack emulator: Web API', () => {
  let emu: SlackEmulator;
  let now = 1_700_000_000_000;
  beforeEach(async () => {
    now = 1_700_000_000_000;
    emu = await startSlackEmulator({ signingSecret: SECRET, now: () => now });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('answers auth.test and the generic auth errors', async () => {
    const { token } = seed(emu);
    const r = await client(emu, token).auth.test();
    expect(r).toMatchObject({ ok: true, team_id: 'T1', user_id: 'UBOT1', team: 'Acme', url: 'https://acme.slack.com/' });
    expect(r.bot_id).toMatch(/^B/);
    expect((await platformError(client(emu).auth.test())).error).toBe('not_authed');
    expect((await platformError(client(emu, 'xoxb-nope').auth.test())).error).toBe('invalid_auth');
    emu.revokeToken(token);
    expect((await platformError(client(emu, token).auth.test())).error).toBe('token_revoked');
    expect((await platformError(client(emu, seed2(emu)).apiCall('nope.method'))).error).toBe('unknown_method');
    expect(emu.calls('auth.test')).toHaveLength(4);
  });

  it('accepts JSON bodies and the token form field', async () => {
    const { token } = seed(emu);
    const j = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'x' }),
    }).then((r) => r.json());
    expect(j).toMatchObject({ ok: false, error: 'not_in_channel' });
    const f = await fetch(`${emu.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    }).then((r) => r.json() as Promise<{ ok: boolean }>);
    expect(f.ok).toBe(true);
    // JSON bodies: token only from the header; a missing charset is a warning
    const noHeader = await fetch(`${emu.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    }).then((r) => r.json());
    expect(noHeader).toMatchObject({ ok: false, error: 'not_authed', warning: 'missing_charset' });
  });

  it('posts messages like Slack: membership, archive, other workspaces, DMs, threads', async () => {
    const { token, token2 } = seed(emu);
    const c = client(emu, token);
    expect((await platformError(c.chat.postMessage({ channel: 'C1', text: 'hi' }))).error).toBe('not_in_channel');
    expect((await platformError(c.chat.postMessage({ channel: 'C2', text: 'hi' }))).error).toBe('channel_not_found');
    expect((await platformError(c.chat.postMessage({ channel: 'C3', text: 'hi' }))).error).toBe('is_archived');
    expect((await platformError(c.chat.postMessage({ channel: 'C9', text: 'hi' }))).error).toBe('channel_not_found');
    expect((await platformError(c.chat.postMessage({ channel: 'CNOPE', text: 'hi' }))).error).toBe('channel_not_found');
    await c.conversations.join({ channel: 'C1' });
    expect((await platformError(c.chat.postMessage({ channel: 'C1' } as never))).error).toBe('no_text');
    const a = await c.chat.postMessage({ channel: 'C1', text: 'one' });
    const b = await c.chat.postMessage({ channel: 'C1', text: 'two', thread_ts: a.ts });
    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    expect(emu.messages({ channel: 'C1' }).map((m) => [m.text, m.threadTs])).toEqual([
      ['one', undefined],
      ['two', a.ts],
    ]);
    // chat:write.public lets a bot post without joining
    const pub = emu.issueBotToken('T1', { scopes: ['chat:write', 'chat:write.public'] });
    emu.addChannel({ teamId: 'T1', id: 'C4', name: 'random' });
    await client(emu, pub).chat.postMessage({ channel: 'C4', text: 'hello' });
    // DMs
    const dm = await c.conversations.open({ users: 'U2' });
    expect(dm.channel?.id).toMatch(/^D/);
    await c.chat.postMessage({ channel: dm.channel!.id!, text: 'dm' });
    expect((await platformError(c.conversations.open({ users: 'U9' }))).error).toBe('user_not_found');
    expect((await platformError(client(emu, token2).users.info({ user: 'U1' }))).error).toBe('user_not_found');
    // update / delete
    expect((await platformError(c.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }))).error).toBe('message_not_found');
    await client(emu, token2).conversations.join({ channel: 'C9' });
    emu.userMessage({ userId: 'U1', channelId: 'C1', text: 'human' }).catch(() => undefined);
    const human = emu.messages({ channel: 'C1' }).find((m) => m.text === 'human')!;
    expect((await platformError(c.chat.update({ channel: 'C1', ts: human.ts, text: 'x' }))).error).toBe('cant_update_message');
    const u = await c.chat.update({ channel: 'C1', ts: a.ts!, text: 'one!' });
    expect(u).toMatchObject({ ok: true, ts: a.ts, text: 'one!' });
    const link = await c.chat.getPermalink({ channel: 'C1', message_ts: a.ts! });
    expect(link.permalink).toBe(`https://acme.slack.com/archives/C1/p${a.ts!.replace('.', '')}`);
  });

  it('users.info returns locale only with include_locale; users.list and team.info work', async () => {
    const { token } = seed(emu);
    const c = client(emu, token);
    const plain = await c.users.info({ user: 'U1' });
    expect(plain.user?.locale).toBeUndefined();
    const withLocale = await c.users.info({ user: 'U1', include_locale: true });
    expect(withLocale.user).toMatchObject({ id: 'U1', locale: 'ja-JP', is_admin: true, team_id: 'T1' });
    const list = await c.users.list({ limit: 2 });
    expect(list.members).toHaveLength(2);
    expect(list.response_metadata?.next_cursor).not.toBe('');
    const next = await c.users.list({ limit: 2, cursor: list.response_metadata!.next_cursor });
    expect(next.members).toHaveLength(1);
    expect((await c.team.info()).team).toMatchObject({ id: 'T1', name: 'Acme', domain: 'acme' });
    const limited = emu.issueBotToken('T1', { scopes: ['chat:write'] });
    const err = await platformError(client(emu, limited).users.info({ user: 'U1' }));
    expect(err).toMatchObject({ error: 'missing_scope', needed: 'users:read', provided: 'chat:write' });
  });

  it('checks Block Kit limits with Slack-like messages', async () => {
    const { token } = seed(emu);
    const c = client(emu, token);
    await c.conversations.join({ channel: 'C1' });
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const e = await platformError(c.chat.postMessage({ channel: 'C1', text: 'x', blocks }));
    expect(e.error).toBe('invalid_blocks');
    expect(e.response_metadata.messages).toContain('[ERROR] must be less than 51 items [json-pointer:/blocks]');
    const long = await platformError(
      c.chat.postMessage({
        channel: 'C1',
        text: 'x',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } },
          { type: 'actions', elements: [{ type: 'button', text: { type: 'mrkdwn', text: 'b' }, action_id: 'x' }] },
        ] as never,
      }),
    );
    expect(long.response_metadata.messages).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
      '[ERROR] must be a valid enum value [json-pointer:/blocks/1/elements/0/text/type]',
    ]);
  });

  it('validates views and trigger_ids (3 s, single use)', async () => {
    const { token } = seed(emu);
    const c = client(emu, token);
    const modal = (title: string, extra: Record<string, unknown> = {}) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: title },
      blocks: [],
      ...extra,
    });
    const t1 = emu.state.issueTrigger('T1', 'U1');
    const bad = await platformError(c.views.open({ trigger_id: t1, view: modal('x'.repeat(25)) }));
    expect(bad).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] },
    });
    const inputNoSubmit = await platformError(
      c.views.open({
        trigger_id: t1,
        view: modal('t', {
          blocks: [
            {
              type: 'input',
              block_id: 'b',
              label: { type: 'plain_text', text: 'L' },
              element: { type: 'plain_text_input', action_id: 'a' },
            },
          ],
        }),
      }),
    );
    expect(inputNoSubmit.error).toBe('invalid_arguments');
    const ok = await c.views.open({ trigger_id: t1, view: modal('Hello', { callback_id: 'cb' }) });
    expect(ok.view?.id).toMatch(/^V/);
    expect(ok.view?.hash).toBeTruthy();
    expect((await platformError(c.views.open({ trigger_id: t1, view: modal('again') }))).error).toBe('exchanged_trigger_id');
    const t2 = emu.state.issueTrigger('T1', 'U1');
    now += 3001;
    expect((await platformError(c.views.open({ trigger_id: t2, view: modal('late') }))).error).toBe('expired_trigger_id');
    expect((await platformError(c.views.open({ trigger_id: 'garbage', view: modal('x') }))).error).toBe('invalid_trigger_id');
    // hash_conflict and update
    const upd = await c.views.update({ view_id: ok.view!.id!, hash: ok.view!.hash!, view: modal('Updated') });
    expect((await platformError(c.views.update({ view_id: ok.view!.id!, hash: ok.view!.hash!, view: modal('x') }))).error).toBe(
      'hash_conflict',
    );
    expect(upd.view?.hash).not.toBe(ok.view?.hash);
    expect(emu.topView('U1')?.title.text).toBe('Updated');
    // push limit
    await c.views.push({ trigger_id: emu.state.issueTrigger('T1', 'U1'), view: modal('2') });
    await c.views.push({ trigger_id: emu.state.issueTrigger('T1', 'U1'), view: modal('3') });
    expect((await platformError(c.views.push({ trigger_id: emu.state.issueTrigger('T1', 'U1'), view: modal('4') }))).error).toBe(
      'push_limit_reached',
    );
    // home
    await c.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] } });
    expect(emu.homeView('U1')?.blocks).toHaveLength(1);
    expect((await platformError(c.views.publish({ user_id: 'U9', view: { type: 'home', blocks: [] } }))).error).toBe('invalid_arguments');
  });

  it('users.info is Tier 4 as on Slack: 100 a minute, then 429 + Retry-After; users.list pages carry locales', async () => {
    const { token } = seed(emu);
    const c = client(emu, token, { rejectRateLimitedCalls: true });
    for (let i = 0; i < 100; i++) await c.users.info({ user: 'U1', include_locale: true });
    const err: any = await c.users.info({ user: 'U1' }).catch((e) => e);
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(60);
    now += 60_001;
    await c.users.info({ user: 'U1' });
    const page = await c.users.list({ limit: 2, include_locale: true });
    expect(page.members?.every((m) => typeof m.locale === 'string')).toBe(true);
    const rest = await c.users.list({ limit: 2, include_locale: true, cursor: page.response_metadata!.next_cursor });
    expect(rest.members?.[0]?.locale).toBeDefined();
  });

  it('rate limits with 429 + Retry-After (fake clock) and injected faults', async () => {
    const { token } = seed(emu);
    const c = client(emu, token, { rejectRateLimitedCalls: true });
    for (let i = 0; i < 20; i++) await c.users.list({});
    const err: any = await c.users.list({}).catch((e) => e);
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(60);
    now += 60_001;
    await c.users.list({});
    // chat.postMessage: 1/s per channel after a short burst
    await c.conversations.join({ channel: 'C1' });
    for (let i = 0; i < 5; i++) await c.chat.postMessage({ channel: 'C1', text: `m${i}` });
    const burst: any = await c.chat.postMessage({ channel: 'C1', text: 'too fast' }).catch((e) => e);
    expect(burst.code).toBe(ErrorCode.RateLimitedError);
    expect(burst.retryAfter).toBe(1);
    now += 1000;
    await c.chat.postMessage({ channel: 'C1', text: 'ok again' });
    emu.setRateLimits(false);
    for (let i = 0; i < 30; i++) await c.users.list({});
    emu.injectRateLimit('auth.test', { times: 1, retryAfterSec: 7 });
    const inj: any = await c.auth.test().catch((e) => e);
    expect(inj.retryAfter).toBe(7);
    const raw = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(raw.status).toBe(200);
    emu.failNext('chat.postMessage', 'fatal_error', 2);
    expect((await platformError(c.chat.postMessage({ channel: 'C1', text: 'x' }))).error).toBe('fatal_error');
    expect((await platformError(c.chat.postMessage({ channel: 'C1', text: 'x' }))).error).toBe('fatal_error');
    await c.chat.postMessage({ channel: 'C1', text: 'x' });
  });

  it('lets @slack/web-api honour Retry-After and retry by itself', async () => {
    const { token } = seed(emu);
    const c = client(emu, token, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const waits: number[] = [];
    c.on(WebClientEvent.RATE_LIMITED, (sec: number) => waits.push(sec));
    emu.injectRateLimit('team.info', { times: 1, retryAfterSec: 1 });
    const r = await c.team.info();
    expect(r.ok).toBe(true);
    expect(waits).toEqual([1]);
    expect(emu.calls('team.info').map((x) => x.status)).toEqual([429, 200]);
  });
});

function seed2(emu: SlackEmulator): string {
  return emu.issueBotToken('T1');
}

// ---- requests to the app -------------------------------------------------------------

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  valid: boolean;
}

async function fakeApp(
  handler: (r: Received) => { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number },
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-slack-request-timestamp']);
      const expected = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
      const got = String(req.headers['x-slack-signature'] ?? '');
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      const valid = fresh && got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
      const r: Received = { headers: req.headers, body, valid };
      received.push(r);
      if (!valid) {
        res.writeHead(401).end();
        return;
      }
      const out = handler(r);
      setTimeout(() => {
        res.writeHead(out.status ?? 200, out.headers ?? {});
        res.end(out.body ?? '');
      }, out.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, received, server };
}

function payloadOf(r: Received): any {
  return JSON.parse(new URLSearchParams(r.body).get('payload')!);
}

describe('slack emulator: signed requests to the app', () => {
  let emu: SlackEmulator;
  let app: Awaited<ReturnType<typeof fakeApp>>;
  let reply: (r: Received) => { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number };
  beforeEach(async () => {
    reply = () => ({});
    app = await fakeApp((r) => reply(r));
    emu = await startSlackEmulator({ signingSecret: SECRET, appRequestUrl: app.url, ackTimeoutMs: 500 });
    seed(emu);
  });
  afterEach(async () => {
    await emu.close();
    app.server.closeAllConnections();
    await new Promise((r) => app.server.close(r));
  });

  it('matches the signing test vector from Slack docs', async () => {
    const e = await startSlackEmulator({ signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' });
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(e.sign(body, 1531420618)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    await e.close();
  });

  it('sends signed slash commands and serves response_url', async () => {
    reply = () => ({ body: JSON.stringify({ text: 'working on it' }), headers: { 'content-type': 'application/json' } });
    const r = await emu.slash({ teamId: 'T1', userId: 'U1', channelId: 'C1', command: '/ats', text: 'jobs list' });
    expect(r.status).toBe(200);
    expect(app.received[0].valid).toBe(true);
    expect(app.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    const f = new URLSearchParams(app.received[0].body);
    expect(Object.fromEntries(f)).toMatchObject({
      team_id: 'T1',
      user_id: 'U1',
      channel_id: 'C1',
      command: '/ats',
      text: 'jobs list',
      is_enterprise_install: 'false',
    });
    expect(f.get('trigger_id')).toBe(r.triggerId);
    // the ack body is shown as an ephemeral message
    expect(emu.messages({ channel: 'C1' })).toMatchObject([{ text: 'working on it', ephemeralTo: 'U1', via: 'ack' }]);
    const post = await fetch(r.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'in_channel', text: 'done' }),
    });
    expect(post.status).toBe(200);
    expect(r.responses()).toHaveLength(1);
    expect(emu.messages({ channel: 'C1' })[1]).toMatchObject({ text: 'done', ephemeralTo: undefined, via: 'response_url' });
    // stale timestamp / bad signature are refused by a verifying app
    const stale = await emu.raw(emu.lastSentRequest()!, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    const forged = await emu.raw(emu.lastSentRequest()!, { signature: 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    // the 3 s rule (ackTimeoutMs 500 here)
    reply = () => ({ delayMs: 1000 });
    const slow = await emu.slash({ userId: 'U1', text: 'slow' });
    expect(slow.status).toBe('timeout');
    expect(slow.error).toBe('operation_timeout');
  });

  it('sends block_actions and view_submission shaped like Slack', async () => {
    const { token } = { token: emu.issueBotToken('T1') };
    const c = client(emu, token);
    await c.conversations.join({ channel: 'C1' });
    const msg = await c.chat.postMessage({
      channel: 'C1',
      text: 'candidate',
      blocks: [
        {
          type: 'actions',
          block_id: 'acts',
          elements: [{ type: 'button', action_id: 'approve', value: 'cand-1', text: { type: 'plain_text', text: 'Approve' } }],
        },
      ],
    });
    await emu.clickButton({ teamId: 'T1', userId: 'U1', actionId: 'approve', message: { channel: 'C1', ts: msg.ts! } });
    const p = payloadOf(app.received[0]);
    expect(app.received[0].valid).toBe(true);
    expect(p).toMatchObject({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'U1', team_id: 'T1' },
      container: { type: 'message', message_ts: msg.ts, channel_id: 'C1' },
      channel: { id: 'C1' },
      actions: [{ type: 'button', action_id: 'approve', block_id: 'acts', value: 'cand-1' }],
    });
    expect(p.response_url).toContain('/response/');
    const opened = await c.views.open({
      trigger_id: p.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'new_job',
        private_metadata: '{"j":1}',
        title: { type: 'plain_text', text: 'New job' },
        submit: { type: 'plain_text', text: 'Save' },
        blocks: [
          {
            type: 'input',
            block_id: 'name',
            label: { type: 'plain_text', text: 'Name' },
            element: { type: 'plain_text_input', action_id: 'v' },
          },
          {
            type: 'input',
            block_id: 'kind',
            label: { type: 'plain_text', text: 'Kind' },
            element: { type: 'static_select', action_id: 'v', options: [{ text: { type: 'plain_text', text: 'Full time' }, value: 'ft' }] },
          },
          {
            type: 'input',
            block_id: 'who',
            label: { type: 'plain_text', text: 'Who' },
            element: { type: 'multi_users_select', action_id: 'v' },
          },
          {
            type: 'input',
            block_id: 'ch',
            optional: true,
            label: { type: 'plain_text', text: 'Channel' },
            element: { type: 'conversations_select', action_id: 'v' },
          },
        ],
      },
    });
    reply = () => ({
      body: JSON.stringify({ response_action: 'errors', errors: { name: 'Too short' } }),
      headers: { 'content-type': 'application/json' },
    });
    const sub = await emu.submitView({ userId: 'U1', values: { name: { v: 'QA' }, kind: { v: 'ft' }, who: { v: ['U1', 'U2'] } } });
    expect(sub.responseAction).toBe('errors');
    expect(sub.view?.id).toBe(opened.view!.id);
    const vs = payloadOf(app.received[1]);
    expect(vs).toMatchObject({
      type: 'view_submission',
      view: { id: opened.view!.id, callback_id: 'new_job', private_metadata: '{"j":1}' },
    });
    expect(vs.view.state.values).toEqual({
      name: { v: { type: 'plain_text_input', value: 'QA' } },
      kind: { v: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Full time' }, value: 'ft' } } },
      who: { v: { type: 'multi_users_select', selected_users: ['U1', 'U2'] } },
      ch: { v: { type: 'conversations_select', selected_conversation: null } },
    });
    reply = () => ({});
    const done = await emu.submitView({ userId: 'U1', values: { name: { v: 'QA lead' } } });
    expect(done.responseAction).toBe('close');
    expect(emu.openViews('U1')).toHaveLength(0);
  });

  it('keeps select state across block_actions in a view and a message', async () => {
    const token = emu.issueBotToken('T1');
    const c = client(emu, token);
    await c.conversations.join({ channel: 'C1' });
    const sel = {
      type: 'static_select',
      action_id: 'stage',
      placeholder: { type: 'plain_text', text: 'Stage' },
      options: [{ text: { type: 'plain_text', text: 'Interview' }, value: 'interview' }],
    };
    const msg = await c.chat.postMessage({
      channel: 'C1',
      text: 't',
      blocks: [{ type: 'actions', block_id: 'row', elements: [sel] }] as never,
    });
    await emu.clickButton({ userId: 'U1', actionId: 'stage', message: { channel: 'C1', ts: msg.ts! }, selectedOption: 'interview' });
    const p1 = payloadOf(app.received[0]);
    expect(p1.actions[0].selected_option).toEqual({ text: { type: 'plain_text', text: 'Interview' }, value: 'interview' });
    expect(p1.state.values.row.stage).toEqual({
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: 'Interview' }, value: 'interview' },
    });
    await c.views.open({
      trigger_id: p1.trigger_id,
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'T' },
        submit: { type: 'plain_text', text: 'OK' },
        blocks: [{ type: 'actions', block_id: 'row', elements: [sel] }],
      } as never,
    });
    await emu.clickButton({ userId: 'U1', actionId: 'stage', selectedOption: 'interview' });
    const p2 = payloadOf(app.received[1]);
    expect(p2.container).toEqual({ type: 'view', view_id: emu.topView('U1')!.id });
    expect(p2.response_url).toBeUndefined();
    await emu.submitView({ userId: 'U1' });
    expect(payloadOf(app.received[2]).view.state.values.row.stage.selected_option.value).toBe('interview');
  });

  it('sends events with authorizations and retries like Slack when asked', async () => {
    const r = await emu.sendEvent({ teamId: 'T1', event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home' } });
    expect(r.status).toBe(200);
    const env = JSON.parse(app.received[0].body);
    expect(app.received[0].headers['content-type']).toBe('application/json');
    expect(env).toMatchObject({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: emu.appId,
      event: { type: 'app_home_opened' },
      authorizations: [{ team_id: 'T1', is_bot: true }],
    });
    expect(env.event_id).toMatch(/^Ev/);
    let n = 0;
    reply = () => (n++ < 2 ? { status: 500 } : {});
    const retried = await emu.sendEvent({ teamId: 'T1', event: { type: 'app_uninstalled' }, retries: true });
    expect(retried.attempts?.map((a) => a.status)).toEqual([500, 500, 200]);
    const last = app.received[app.received.length - 1];
    expect(last.headers['x-slack-retry-num']).toBe('2');
    expect(last.headers['x-slack-retry-reason']).toBe('http_error');
    expect(JSON.parse(last.body).event_id).toBe(JSON.parse(app.received[app.received.length - 3].body).event_id);
    reply = () => ({ status: 500, headers: { 'x-slack-no-retry': '1' } });
    const noRetry = await emu.sendEvent({ teamId: 'T1', event: { type: 'app_uninstalled' }, retries: true });
    expect(noRetry.attempts).toHaveLength(1);
  });
});

describe('slack emulator: a real Bolt app', () => {
  it('delivers a slash command; respond(), say() and views.open land in the emulator', async () => {
    const emu = await startSlackEmulator({ signingSecret: SECRET });
    const { token } = seed(emu);
    emu.joinChannel('C1', 'UBOT1');
    const app = new App({
      signingSecret: SECRET,
      token,
      logLevel: LogLevel.ERROR,
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/ats', async ({ ack, respond, say, client: cl, body }) => {
      await ack();
      await cl.views.open({ trigger_id: body.trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'ATS' }, blocks: [] } });
      await respond({ text: 'ephemeral reply' });
      await say('public hello');
    });
    const server = (await app.start(0)) as unknown as Server;
    emu.setAppRequestUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
    try {
      const r = await emu.slash({ teamId: 'T1', userId: 'U1', channelId: 'C1', text: 'help' });
      expect(r.status).toBe(200);
      await emu.waitFor(() => emu.messages({ channel: 'C1' }).length >= 2);
      expect(
        emu
          .messages({ channel: 'C1' })
          .map((m) => [m.text, m.ephemeralTo ?? null, m.via])
          .sort(),
      ).toEqual([
        ['ephemeral reply', 'U1', 'response_url'],
        ['public hello', null, 'chat.postMessage'],
      ]);
      expect(emu.topView('U1')?.title.text).toBe('ATS');
      expect(r.responses()).toHaveLength(1);
      // Bolt answers Slack's Request URL check
      expect((await emu.urlVerification()).ok).toBe(true);
      // a bad signature is refused by Bolt with 401 and no listener runs
      const forged = await emu.raw(emu.lastSentRequest()!, { signature: 'v0=00' });
      expect(forged.status).toBe(401);
    } finally {
      await app.stop();
      await emu.close();
    }
  });
});

describe('slack emulator: OAuth v2 install with a real Bolt app', () => {
  it('installs through /slack/install → authorize → /slack/oauth_redirect, and the new token works', async () => {
    const emu = await startSlackEmulator({ signingSecret: SECRET, oauth: { clientId: '111.222', clientSecret: 'shh' } });
    emu.addTeam({ id: 'T7', name: 'Seven' });
    emu.addUser({ teamId: 'T7', id: 'U7', name: 'installer', isAdmin: true });
    const installs: any[] = [];
    const app = new App({
      signingSecret: SECRET,
      clientId: '111.222',
      clientSecret: 'shh',
      stateSecret: 'state-secret',
      scopes: ['commands', 'chat:write'],
      logLevel: LogLevel.ERROR,
      installationStore: {
        storeInstallation: async (i) => {
          installs.push(i);
        },
        fetchInstallation: async (q) => installs.find((i) => i.team.id === q.teamId),
      },
      installerOptions: { authorizationUrl: emu.authorizeUrl, userScopes: ['users:read'] },
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/ats', async ({ ack, client: cl, body }) => {
      await ack();
      await cl.chat.postMessage({ channel: body.user_id, text: 'installed and working' });
    });
    const server = (await app.start(0)) as unknown as Server;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emu.setOAuthRedirectUri(`${base}/slack/oauth_redirect`);
    emu.setAppRequestUrl(`${base}/slack/events`);
    try {
      const r = await emu.authorize({ teamId: 'T7', userId: 'U7', url: `${base}/slack/install` });
      expect(r.status).toBe(200);
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatchObject({
        team: { id: 'T7', name: 'Seven' },
        user: { id: 'U7', scopes: ['users:read'] },
        bot: { scopes: ['commands', 'chat:write'] },
      });
      expect(installs[0].bot.token).toMatch(/^xoxb-/);
      expect(installs[0].user.token).toMatch(/^xoxp-/);
      const access = emu.lastCall('oauth.v2.access')!;
      expect(access.response).toMatchObject({
        ok: true,
        token_type: 'bot',
        team: { id: 'T7' },
        enterprise: null,
        is_enterprise_install: false,
        authed_user: { id: 'U7', token_type: 'user' },
      });
      // the code is single use
      const again = await fetch(`${emu.apiUrl}oauth.v2.access`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `client_id=111.222&client_secret=shh&code=${r.code}`,
      }).then((x) => x.json());
      expect(again).toEqual({ ok: false, error: 'invalid_code' });
      // the install works for commands
      await emu.slash({ userId: 'U7', text: '' });
      await emu.waitFor(() => emu.messages({ teamId: 'T7' }).find((m) => m.text === 'installed and working'));
      // reinstalling keeps the bot token
      await emu.authorize({ teamId: 'T7', userId: 'U7', url: `${base}/slack/install` });
      expect(installs[1].bot.token).toBe(installs[0].bot.token);
      // cancel → error=access_denied reaches the app
      const denied = await emu.authorize({ teamId: 'T7', userId: 'U7', url: `${base}/slack/install`, deny: true });
      expect(denied.redirectedTo).toContain('error=access_denied');
      const revoked = await emu.uninstall('T7');
      expect(revoked.map((x) => x.status)).toEqual([200, 200]);
      const dead = await fetch(`${emu.apiUrl}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${installs[0].bot.token}` },
      }).then((x) => x.json());
      expect(dead).toEqual({ ok: false, error: 'token_revoked' });
    } finally {
      await app.stop();
      await emu.close();
    }
  });
});

describe('slack emulator: viewer page', () => {
  it('shows messages, runs a slash command and clicks a button from the page', async () => {
    const received: string[] = [];
    const app = await fakeApp((r) => {
      received.push(r.body);
      return {};
    });
    const emu = await startSlackEmulator({ signingSecret: SECRET, appRequestUrl: app.url });
    try {
      const { token } = seed(emu);
      const c = client(emu, token);
      await c.conversations.join({ channel: 'C1' });
      const m = await c.chat.postMessage({
        channel: 'C1',
        text: 'fallback',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: '*New candidate* Taro' } },
          {
            type: 'actions',
            block_id: 'b',
            elements: [{ type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open <profile>' } }],
          },
        ],
      });
      const html = await fetch(emu.url).then((r) => r.text());
      expect(html).toContain('<b>New candidate</b> Taro');
      expect(html).toContain('Open &#60;profile&#62;');
      const slash = await fetch(`${emu.url}/_emu/slash`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ teamId: 'T1', userId: 'U1', channelId: 'C1', command: '/ats', text: 'help' }).toString(),
      });
      expect(slash.status).toBe(303);
      expect(new URLSearchParams(received[0]).get('text')).toBe('help');
      await fetch(`${emu.url}/_emu/click`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ teamId: 'T1', userId: 'U1', actionId: 'open', blockId: 'b', channel: 'C1', ts: m.ts! }).toString(),
      });
      expect(JSON.parse(new URLSearchParams(received[1]).get('payload')!).actions[0].action_id).toBe('open');
    } finally {
      await emu.close();
      app.server.closeAllConnections();
      await new Promise((r) => app.server.close(r));
    }
  });
});
