import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../../emulators/slack/index';

const SECRET = 'interactions-secret';

function seed(emu: SlackEmulator): string {
  emu.addTeam({ id: 'T1', name: 'Acme', domain: 'acme' });
  emu.addTeam({ id: 'T2', name: 'Beta', domain: 'beta' });
  emu.addUser({ teamId: 'T1', id: 'U1', name: 'alice', locale: 'ja-JP' });
  emu.addUser({ teamId: 'T1', id: 'U2', name: 'bob' });
  emu.addUser({ teamId: 'T2', id: 'U3', name: 'carol' });
  emu.addChannel({ teamId: 'T1', id: 'C1', name: 'hiring', members: ['U1', 'U2'] });
  emu.addChannel({ teamId: 'T2', id: 'C2', name: 'hiring', members: ['U3'] });
  const t1 = emu.issueBotToken('T1', { botUserId: 'UB1' });
  emu.issueBotToken('T2', { botUserId: 'UB2' });
  emu.joinChannel('C1', 'UB1');
  emu.joinChannel('C2', 'UB2');
  return t1;
}

const modal = (title: string, blocks: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: title },
  blocks,
  ...extra,
});
const input = (blockId: string, element: Record<string, unknown>, optional = false) => ({
  type: 'input',
  block_id: blockId,
  optional,
  label: { type: 'plain_text', text: blockId },
  element: { action_id: 'v', ...element },
});

describe('slack emulator with a real Bolt app: actions, views, options, events', () => {
  let emu: SlackEmulator;
  let app: App;
  const tokens: Record<string, string> = {};
  const seen: string[] = [];

  beforeEach(async () => {
    emu = await startSlackEmulator({ signingSecret: SECRET });
    tokens.T1 = seed(emu);
    tokens.T2 = emu.issueBotToken('T2');
    seen.length = 0;
    app = new App({
      signingSecret: SECRET,
      logLevel: LogLevel.ERROR,
      authorize: async ({ teamId }) => ({ botToken: tokens[teamId!], botId: 'B', botUserId: teamId === 'T1' ? 'UB1' : 'UB2', teamId }),
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/ats', async ({ ack, respond, body }) => {
      await ack();
      await respond({
        text: 'pick',
        blocks: [
          {
            type: 'actions',
            block_id: 'a',
            elements: [{ type: 'button', action_id: 'open_job', value: body.team_id, text: { type: 'plain_text', text: 'New job' } }],
          },
        ],
      });
    });
    app.action('open_job', async ({ ack, body, client, respond }) => {
      await ack();
      seen.push(`action:${(body as any).actions[0].value}`);
      await client.views.open({
        trigger_id: (body as any).trigger_id,
        view: modal(
          'New job',
          [
            input('name', { type: 'plain_text_input', min_length: 2 }),
            input('kind', { type: 'external_select', min_query_length: 1 }),
            input('when', { type: 'datepicker' }, true),
          ],
          { callback_id: 'job', submit: { type: 'plain_text', text: 'Next' }, notify_on_close: true, private_metadata: 'pm' },
        ) as never,
      });
      await respond({ replace_original: true, text: 'opening…' });
    });
    app.options('v', async ({ ack, body }) => {
      seen.push(`options:${(body as any).value}`);
      await ack({ options: [{ text: { type: 'plain_text', text: 'Full time' }, value: 'ft' }] });
    });
    app.view('job', async ({ ack, view }) => {
      const name = view.state.values.name.v.value!;
      seen.push(`submit:${name}:${view.state.values.kind.v.selected_option?.value}:${view.private_metadata}`);
      if (name === 'no') return ack({ response_action: 'errors', errors: { name: 'Please give a real name' } });
      return ack({
        response_action: 'push',
        view: modal('Confirm', [], { callback_id: 'confirm', submit: { type: 'plain_text', text: 'OK' } }) as never,
      });
    });
    app.view('confirm', async ({ ack }) => {
      await ack({ response_action: 'clear' });
    });
    app.view({ callback_id: 'job', type: 'view_closed' }, async ({ ack, body }) => {
      await ack();
      seen.push(`closed:${(body as any).is_cleared}`);
    });
    app.event('app_home_opened', async ({ event, client, context }) => {
      seen.push(`home:${context.teamId}`);
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `hi ${context.teamId}` } }] },
      });
    });
    const server = (await app.start(0)) as unknown as Server;
    emu.setAppRequestUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  });

  afterEach(async () => {
    await app.stop();
    await emu.close();
  });

  it('runs command → button → modal → errors → push → clear', async () => {
    const cmd = await emu.slash({ userId: 'U1', channelId: 'C1', text: '' });
    await emu.waitFor(() => cmd.responses().length === 1);
    const ephemeral = emu.messages({ channel: 'C1', ephemeral: true })[0];
    expect(ephemeral.ephemeralTo).toBe('U1');
    const click = await emu.clickButton({ userId: 'U1', actionId: 'open_job', message: { channel: 'C1', ts: ephemeral.ts } });
    expect(click.status).toBe(200);
    await emu.waitFor(() => emu.topView('U1'));
    await emu.waitFor(() => click.responses().length === 1);
    expect(emu.messages({ channel: 'C1' })[0].text).toBe('opening…'); // replace_original kept the ts
    expect(seen).toContain('action:T1');
    const opts = await emu.options({ userId: 'U1', actionId: 'v', blockId: 'kind', value: 'f' });
    expect(opts.options).toEqual([{ text: { type: 'plain_text', text: 'Full time' }, value: 'ft' }]);
    await expect(emu.submitView({ userId: 'U1', values: { kind: { v: 'ft' } } })).rejects.toThrow(/required input name/);
    await expect(emu.submitView({ userId: 'U1', values: { name: { v: 'x' }, kind: { v: 'ft' } } })).rejects.toThrow(/min_length/);
    const errs = await emu.submitView({ userId: 'U1', values: { name: { v: 'no' }, kind: { v: 'ft' } } });
    expect(errs.responseAction).toBe('errors');
    expect(errs.errors).toEqual({ name: 'Please give a real name' });
    const pushed = await emu.submitView({ userId: 'U1', values: { name: { v: 'QA' } } });
    expect(pushed.responseAction).toBe('push');
    expect(emu.openViews('U1').map((v) => v.title.text)).toEqual(['New job', 'Confirm']);
    expect(emu.openViews('U1')[1].previous_view_id).toBe(emu.openViews('U1')[0].id);
    const cleared = await emu.submitView({ userId: 'U1' });
    expect(cleared.responseAction).toBe('clear');
    expect(emu.openViews('U1')).toEqual([]);
    expect(seen.filter((s) => s.startsWith('submit'))).toEqual(['submit:no:ft:pm', 'submit:QA:ft:pm']);
    expect(seen).toContain('options:f');
  });

  it('sends view_closed when notify_on_close, and keeps workspaces apart', async () => {
    const cmd = await emu.slash({ userId: 'U3', channelId: 'C2' });
    await emu.waitFor(() => cmd.responses().length === 1);
    const m = emu.messages({ teamId: 'T2' })[0];
    await emu.clickButton({ userId: 'U3', actionId: 'open_job', message: { channel: 'C2', ts: m.ts } });
    await emu.waitFor(() => emu.topView('U3'));
    expect(seen).toContain('action:T2');
    expect(emu.lastCall('views.open')?.teamId).toBe('T2');
    const closed = await emu.closeView({ userId: 'U3' });
    expect(closed?.status).toBe(200);
    await emu.waitFor(() => seen.includes('closed:false'));
    expect(emu.openViews('U3')).toEqual([]);
    // T2's token cannot see T1's channel
    const c2 = new WebClient(tokens.T2, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    await expect(c2.conversations.info({ channel: 'C1' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    // Home tab per workspace
    await emu.openHome({ userId: 'U1' });
    await emu.openHome({ userId: 'U3' });
    await emu.waitFor(() => emu.homeView('U1') && emu.homeView('U3'));
    expect(emu.homeView('U1')?.blocks[0].text.text).toBe('hi T1');
    expect(emu.homeView('U3')?.blocks[0].text.text).toBe('hi T2');
    // the second app_home_opened carries the published view
    await emu.openHome({ userId: 'U1' });
    const env = JSON.parse(emu.lastSentRequest()!.body);
    expect(env.event.view.id).toBe(emu.homeView('U1')?.id);
    await emu.waitFor(() => emu.calls('views.publish').length === 3);
  });
});

describe('slack emulator: response_url, retries, control API', () => {
  let emu: SlackEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('response_url: 5 uses, delete_original, invalid blocks refused', async () => {
    emu = await startSlackEmulator({ signingSecret: SECRET, appRequestUrl: 'http://127.0.0.1:9/unused' });
    seed(emu);
    const r = await emu.slash({ userId: 'U1', channelId: 'C1' });
    expect(r.status).toBe('error'); // nothing listens on port 9
    const post = (body: unknown) =>
      fetch(r.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'a' })).status).toBe(200);
    expect((await post({ blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })).status).toBe(400);
    expect((await post({ replace_original: true, text: 'b' })).status).toBe(200);
    expect(emu.messages({ channel: 'C1' }).map((m) => m.text)).toEqual(['b']);
    expect((await post({ delete_original: true })).status).toBe(200);
    expect(emu.messages({ channel: 'C1' })).toEqual([]);
    expect((await post({ text: 'c' })).status).toBe(200);
    expect((await post({ text: 'd' })).status).toBe(404); // 6th use
  });

  it('retries events on timeout with the same event_id', async () => {
    const { createServer } = await import('node:http');
    const bodies: { retry?: string; reason?: string; id: string }[] = [];
    let n = 0;
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push({
          retry: req.headers['x-slack-retry-num'] as string,
          reason: req.headers['x-slack-retry-reason'] as string,
          id: JSON.parse(b).event_id,
        });
        if (n++ === 0) setTimeout(() => res.end(), 400);
        else res.end();
      });
    });
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    emu = await startSlackEmulator({
      signingSecret: SECRET,
      ackTimeoutMs: 200,
      retries: true,
      appRequestUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`,
    });
    seed(emu);
    const r = await emu.sendEvent({ teamId: 'T1', event: { type: 'member_joined_channel', user: 'U1', channel: 'C1' }, eventId: 'Ev123' });
    expect(r.attempts?.map((a) => a.status)).toEqual(['timeout', 200]);
    expect(bodies.map((b) => [b.retry, b.reason, b.id])).toEqual([
      [undefined, undefined, 'Ev123'],
      ['1', 'http_timeout', 'Ev123'],
    ]);
    srv.closeAllConnections();
    await new Promise((ok) => srv.close(ok));
  });

  it('has a JSON control API for other processes', async () => {
    emu = await startSlackEmulator({ signingSecret: SECRET });
    const ctl = (name: string, body?: unknown) =>
      fetch(`${emu.url}/_emu/control/${name}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) }).then(
        (r) => r.json() as Promise<any>,
      );
    await ctl('addTeam', { id: 'T5', name: 'Five' });
    await ctl('addUser', { teamId: 'T5', id: 'U5', name: 'eve' });
    const { result: token } = await ctl('issueBotToken', { args: ['T5'] });
    expect(token).toMatch(/^xoxb-/);
    const c = new WebClient(token, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    await c.chat.postMessage({ channel: 'U5', text: 'hello' });
    const { result: msgs } = await ctl('messages', { teamId: 'T5' });
    expect(msgs).toMatchObject([{ text: 'hello', teamId: 'T5' }]);
    expect((await ctl('nope')).error).toMatch(/unknown control method/);
    expect((await ctl('addUser', { teamId: 'T404', id: 'U', name: 'x' })).error).toMatch(/unknown team/);
  });
});
