/**
 * Handler unit tests run the app's listeners in a real Bolt App (commands/index.ts registers them
 * as in production: Bolt matches, runs the dedupe middleware, dispatches), without HTTP: requests go
 * straight to app.processEvent with a fake `ack` that records what was acked, the Web API client is a
 * fake that records each call, and `respond` posts to response_urls through a fake fetch that records
 * them. Payload builders give the bodies Slack sends (slash command, block_actions from an ephemeral
 * message, a channel message, App Home or a modal, view_submission, block_suggestion, events).
 */
import { App, LogLevel, type Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../../src/domain/deps';
import type { Locale } from '../../src/i18n';
import { registerAll } from '../../commands';
import { startUnitDeps } from './deps';

export interface ApiCall {
  method: string;
  args: Record<string, any>;
}

/**
 * A Web API client that records every call (`views.open`, `chat.postMessage`, …) and answers
 * `{ ok: true }` (views.* with a view id, chat.* with a ts), or what `answer` was told for a method.
 */
export function fakeClient() {
  const calls: ApiCall[] = [];
  const answers = new Map<string, (args: Record<string, unknown>) => unknown>();
  let seq = 0;
  const standard = (method: string, args: Record<string, unknown>) => {
    if (method.startsWith('views.'))
      return { ok: true, view: { id: (args.view_id as string) ?? `V0FAKE${++seq}`, ...(args.view as object) } };
    if (method.startsWith('chat.')) return { ok: true, channel: args.channel, ts: `1700000000.${String(++seq).padStart(6, '0')}` };
    return { ok: true };
  };
  const group = (name: string) =>
    new Proxy(
      {},
      {
        get: (_t, m) => {
          if (typeof m !== 'string') return undefined;
          const method = `${name}.${m}`;
          return async (args: Record<string, unknown> = {}) => {
            calls.push({ method, args });
            const answer = answers.get(method);
            return answer ? answer(args) : standard(method, args);
          };
        },
      },
    );
  const client = new Proxy({}, { get: (_t, g) => (typeof g === 'string' && g !== 'then' ? group(g) : undefined) }) as unknown as WebClient;
  return {
    client,
    calls,
    /** The calls to one method, in order. */
    to: (method: string) => calls.filter((c) => c.method === method),
    /** Answers `method` with `fn(args)` from now on (throw in it for a failed call). */
    answer(method: string, fn: (args: Record<string, unknown>) => unknown) {
      answers.set(method, fn);
    },
  };
}

export type FakeClient = ReturnType<typeof fakeClient>;

/** A post to a response_url (what `respond` sent). */
export interface Responded {
  url: string;
  body: Record<string, any>;
}

/** What one delivery did: the ack's payload (undefined: acked empty), how often ack was called. */
export interface Delivery {
  acks: unknown[];
  /** The first ack's payload. */
  acked: unknown;
}

export type Where = 'ephemeral' | 'channel' | 'dm' | 'home' | 'modal';

export interface ClickInput {
  teamId: string;
  userId: string;
  actionId: string;
  value?: string;
  blockId?: string;
  /** Where the element is: an ephemeral answer, a channel message (a card), a DM, App Home, a modal. */
  where?: Where;
  /** For a modal or App Home: the view the payload carries. */
  view?: Record<string, unknown>;
  /** For a select: the chosen option's value. */
  selected?: string;
}

export interface SubmitInput {
  teamId: string;
  userId: string;
  callbackId: string;
  /** block_id → the input's value (a string; an array for a multi select). */
  values?: Record<string, string | string[]>;
  privateMetadata?: string;
  viewId?: string;
}

let seq = 0;
const trigger = () => `${Date.now()}.${++seq}.unit`;

export interface BoltHarness {
  app: App;
  client: FakeClient;
  /** Posts to response_urls, in order. */
  responded: Responded[];
  /** The texts of the bot's DMs to a user (chat.postMessage to the user id). */
  dms(userId: string): string[];
  /** Drop what was recorded so far (calls and responses). */
  reset(): void;
  deliver(body: Record<string, unknown>): Promise<Delivery>;
  slash(i: { teamId: string; userId: string; text: string; channelId?: string }): Promise<Delivery>;
  click(i: ClickInput): Promise<Delivery>;
  submit(i: SubmitInput): Promise<Delivery>;
  suggest(i: { teamId: string; userId: string; actionId: string; value: string; blockId?: string }): Promise<Delivery>;
  event(teamId: string, event: Record<string, unknown>): Promise<Delivery>;
}

/** The app's listeners (commands/index.ts) on a Bolt App without a receiver; `forget` as src/server.ts gives it. */
export function startBolt(
  deps: Deps,
  forget: (teamId: string) => void = () => undefined,
  opts: { ackBudgetMs?: number } = {},
): BoltHarness {
  const client = fakeClient();
  const responded: Responded[] = [];
  const receiver: Receiver = { init: () => undefined, start: async () => undefined, stop: async () => undefined };
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    responded.push({ url: String(url), body: JSON.parse(String(init?.body ?? '{}')) });
    return new Response('ok', { status: 200 });
  };
  const app = new App({
    receiver,
    // as after Bolt's authorize from the installation store; no token: the listeners get app.client
    authorize: async () => ({ botId: 'B0UNITBOT', botUserId: 'U0UNITBOT' }),
    clientOptions: { fetch: fetch as typeof globalThis.fetch },
    logLevel: LogLevel.ERROR,
    convoStore: false,
  });
  app.client = client.client;
  registerAll(app, deps, forget, opts);

  async function deliver(body: Record<string, unknown>): Promise<Delivery> {
    const acks: unknown[] = [];
    await app.processEvent({ body, ack: async (r?: unknown) => void acks.push(r) });
    return { acks, acked: acks[0] };
  }

  const user = (teamId: string, userId: string) => ({
    id: userId,
    team_id: teamId,
    username: userId.toLowerCase(),
    name: userId.toLowerCase(),
  });
  const team = (teamId: string) => ({ id: teamId, domain: teamId.toLowerCase() });
  const responseUrl = () => `https://hooks.slack.test/actions/${++seq}`;

  function container(i: ClickInput) {
    const where = i.where ?? 'ephemeral';
    if (where === 'home' || where === 'modal') {
      const view = {
        id: 'V0UNITVIEW',
        type: where === 'home' ? 'home' : 'modal',
        team_id: i.teamId,
        callback_id: '',
        private_metadata: '',
        blocks: [],
        state: { values: {} },
        ...i.view,
      };
      return { container: { type: 'view', view_id: view.id }, view };
    }
    const channel = where === 'channel' ? 'C0UNITCHAN' : 'D0UNITDM';
    return {
      container: { type: 'message', message_ts: '1700000000.000001', channel_id: channel, is_ephemeral: where === 'ephemeral' },
      channel: { id: channel, name: where === 'channel' ? 'jobs' : 'directmessage' },
      response_url: responseUrl(),
      ...(where === 'ephemeral' ? {} : { message: { type: 'message', ts: '1700000000.000001', text: '', blocks: [] } }),
    };
  }

  return {
    app,
    client,
    responded,
    dms: (userId) =>
      client
        .to('chat.postMessage')
        .filter((c) => c.args.channel === userId)
        .map((c) => c.args.text as string),
    reset() {
      client.calls.length = 0;
      responded.length = 0;
    },
    deliver,
    slash: (i) =>
      deliver({
        token: 'legacy',
        team_id: i.teamId,
        team_domain: 'unit',
        channel_id: i.channelId ?? 'D0UNITDM',
        channel_name: 'directmessage',
        user_id: i.userId,
        user_name: i.userId.toLowerCase(),
        command: '/ats',
        text: i.text,
        api_app_id: 'A0UNIT',
        is_enterprise_install: 'false',
        response_url: responseUrl(),
        trigger_id: trigger(),
      }),
    click: (i) =>
      deliver({
        type: 'block_actions',
        api_app_id: 'A0UNIT',
        token: 'legacy',
        trigger_id: trigger(),
        user: user(i.teamId, i.userId),
        team: team(i.teamId),
        enterprise: null,
        is_enterprise_install: false,
        ...container(i),
        actions: [
          i.selected === undefined
            ? {
                type: 'button',
                action_id: i.actionId,
                block_id: i.blockId ?? 'b',
                text: { type: 'plain_text', text: 'x' },
                ...(i.value !== undefined ? { value: i.value } : {}),
                action_ts: '1700000000.1',
              }
            : {
                type: 'static_select',
                action_id: i.actionId,
                block_id: i.blockId ?? 'b',
                selected_option: { text: { type: 'plain_text', text: 'x' }, value: i.selected },
                action_ts: '1700000000.1',
              },
        ],
      }),
    submit: (i) =>
      deliver({
        type: 'view_submission',
        api_app_id: 'A0UNIT',
        token: 'legacy',
        trigger_id: trigger(),
        user: user(i.teamId, i.userId),
        team: team(i.teamId),
        enterprise: null,
        is_enterprise_install: false,
        view: {
          // a modal opened anew has a new view id (the same id: the same modal submitted again)
          id: i.viewId ?? `V0UNITMODAL${++seq}`,
          type: 'modal',
          team_id: i.teamId,
          callback_id: i.callbackId,
          private_metadata: i.privateMetadata ?? '',
          blocks: [],
          hash: 'h',
          title: { type: 'plain_text', text: 't' },
          state: {
            values: Object.fromEntries(
              Object.entries(i.values ?? {}).map(([block, v]) => [
                block,
                {
                  value: Array.isArray(v) ? { type: 'multi_users_select', selected_users: v } : { type: 'plain_text_input', value: v },
                },
              ]),
            ),
          },
        },
        response_urls: [],
      }),
    suggest: (i) =>
      deliver({
        type: 'block_suggestion',
        api_app_id: 'A0UNIT',
        token: 'legacy',
        action_id: i.actionId,
        block_id: i.blockId ?? 'b',
        value: i.value,
        user: user(i.teamId, i.userId),
        team: team(i.teamId),
        enterprise: null,
        is_enterprise_install: false,
        container: { type: 'view', view_id: 'V0UNITMODAL' },
        view: { id: 'V0UNITMODAL', type: 'modal', callback_id: 'map:modal', team_id: i.teamId },
      }),
    event: (teamId, event) =>
      deliver({
        token: 'legacy',
        team_id: teamId,
        api_app_id: 'A0UNIT',
        type: 'event_callback',
        event_id: `Ev${++seq}UNIT`,
        event_time: 1700000000,
        authorizations: [{ team_id: teamId, user_id: 'U0UNITBOT', is_bot: true, is_enterprise_install: false }],
        event: { event_ts: '1700000000.000001', ...event },
      }),
  };
}

/**
 * A handler test file's set-up: the Deps (test/helpers/deps.ts) with a workspace whose users Slack
 * knows (`admins` are org admins), and the app's listeners on Bolt. `reset()` (before each test)
 * drops the recorded calls, responses, jobs and logs.
 */
export async function startHandlerTest(
  label: string,
  teamId: string,
  users: { admins?: string[]; others?: string[]; locale?: Locale } = {},
) {
  const u = await startUnitDeps(label);
  for (const userId of [...(users.admins ?? []), ...(users.others ?? [])]) u.addUser(teamId, userId, { locale: users.locale ?? 'en' });
  for (const userId of users.admins ?? []) await u.setRole(teamId, userId, 'org_admin');
  const bolt = startBolt(u.deps);
  return {
    u,
    bolt,
    reset() {
      bolt.reset();
      u.jobs.length = 0;
      u.logs.length = 0;
    },
  };
}

export type HandlerTest = Awaited<ReturnType<typeof startHandlerTest>>;
