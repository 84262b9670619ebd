/**
 * End-to-end harness: the real app (src/server.ts) on a free port, the embedded MongoDB, the Slack
 * emulator (and optionally the six media emulators), wired through base-URL settings exactly as in
 * production. Logs are captured so tests can assert that no secret was ever logged.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Installation } from '@slack/bolt';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { startApp, type AppHandle, type StartOptions } from '../../src/server';
import { mongoInstallationStore } from '../../src/domain/installations';
import { mediaUrlEnv } from '../../src/domain/connector-context';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';
import { startMediaEmulators, type MediaEmulators } from '../../emulators/media';
import { startTestMongo, type TestMongo } from './mongo';
import { startRecorder } from './recorder';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface Harness {
  app: AppHandle;
  slack: SlackEmulator;
  media?: MediaEmulators;
  mongo: TestMongo;
  config: Config;
  logs: string[];
  /** Adds a workspace with users and installs the app there (installer = first org admin). */
  install(
    teamId: string,
    opts?: {
      installer?: string;
      users?: { id: string; locale?: 'ja-JP' | 'en-US'; isAdmin?: boolean; isRestricted?: boolean; isBot?: boolean }[];
    },
  ): Promise<string>;
  close(): Promise<void>;
}

/** A TCP port free right now on 127.0.0.1 (for a harness whose PUBLIC_URL must be known up front). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `port`: listen on this port with PUBLIC_URL http://127.0.0.1:<port> (the OAuth redirect URL must be
 * right before the app starts; see freePort()). Default: any free port, PUBLIC_URL unused.
 * `reuse`: the database and emulators of an earlier harness (an app restarted on the same data);
 * close() then stops only this app, and the earlier harness's close() the rest.
 */
export async function startHarness(
  opts: {
    media?: boolean;
    env?: Record<string, string>;
    clock?: () => Date;
    port?: number;
    reuse?: Pick<Harness, 'mongo' | 'slack' | 'media'>;
    /** Card delivery tunables (shorter pace and lease than Slack's). */
    cardPosting?: StartOptions['cardPosting'];
    /** The user directory's pace and back-off (shorter than Slack's tiers). */
    userDirectory?: StartOptions['userDirectory'];
    /** A modal submission's ack budget (default: just under the emulator's 3 s, so a loaded test machine does not decide). */
    ackBudgetMs?: number;
    /** The emulator's ack deadline (Slack's 3 s by default). */
    ackTimeoutMs?: number;
    /** How often Agenda polls: 100 ms by default (tests wait less); null: the app's own setting (benchmarks). */
    agendaProcessEveryMs?: number | null;
    /** false: no job worker (no import, no card is run; only the requests change the database). */
    worker?: boolean;
  } = {},
): Promise<Harness> {
  // the privacy scan's record of this harness (null outside `npm test`'s run, e.g. in benches)
  const recorder = await startRecorder();
  const mongo = opts.reuse?.mongo ?? (await startTestMongo('app'));
  const slack =
    opts.reuse?.slack ??
    (await startSlackEmulator({
      port: 0,
      signingSecret: SIGNING_SECRET,
      oauth: { clientId: '1111.2222', clientSecret: 'client-secret-xyz' },
      ackTimeoutMs: opts.ackTimeoutMs,
      ...(recorder ? { onRequest: (r) => recorder.received('slack', r) } : {}),
    }));
  const media = opts.reuse
    ? opts.reuse.media
    : opts.media
      ? await startMediaEmulators({}, recorder ? { onRequest: (m, r) => recorder.received(m, r) } : {})
      : undefined;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      const line = String(chunk);
      logs.push(line);
      recorder?.log(line);
      cb();
    },
  });
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'client-secret-xyz',
    SLACK_STATE_SECRET: 'state-secret-abc',
    SLACK_API_URL: slack.apiUrl,
    SLACK_AUTHORIZE_URL: `${slack.url}/oauth/v2/authorize`,
    ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
    MONGODB_DB: mongo.dbName,
    PORT: String(opts.port ?? 0),
    ...(opts.port ? { PUBLIC_URL: `http://127.0.0.1:${opts.port}` } : {}),
    CONNECTOR_TIMEOUT_MS: '15000',
    ...(media ? mediaUrlEnv(media.urls) : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, sink);
  const app = await startApp({
    config,
    mongoUri: mongo.uri,
    logger,
    port: opts.port ?? 0,
    agendaProcessEveryMs: opts.agendaProcessEveryMs === null ? undefined : (opts.agendaProcessEveryMs ?? 100),
    clock: opts.clock,
    cardPosting: opts.cardPosting,
    worker: opts.worker,
    // Slack's tiers, faster: a test does not wait a second between lookups
    userDirectory: { lookupIntervalMs: 20, listIntervalMs: 20, ...opts.userDirectory },
    ackBudgetMs: opts.ackBudgetMs ?? 2_900,
  });
  recorder?.tapApp(app.server);
  slack.setAppRequestUrl(`${app.url}/slack/events`);

  return {
    app,
    slack,
    media,
    mongo,
    config,
    logs,
    async install(teamId, o = {}) {
      const installer = o.installer ?? `U${teamId.slice(1)}ADMIN`;
      slack.addTeam({ id: teamId, name: `Team ${teamId}` });
      slack.addUser({ teamId, id: installer, name: 'installer', locale: 'ja-JP', isAdmin: true });
      for (const u of o.users ?? [])
        slack.addUser({
          teamId,
          id: u.id,
          name: u.id.toLowerCase(),
          locale: u.locale ?? 'ja-JP',
          isAdmin: u.isAdmin,
          isRestricted: u.isRestricted,
          isBot: u.isBot,
        });
      const token = slack.issueBotToken(teamId);
      const bot = slack.botUser(teamId);
      const installation: Installation<'v2', false> = {
        team: { id: teamId, name: `Team ${teamId}` },
        enterprise: undefined,
        user: { id: installer, token: undefined, scopes: undefined },
        bot: { token, scopes: ['commands', 'chat:write'], id: bot.botId, userId: bot.userId },
        tokenType: 'bot',
        isEnterpriseInstall: false,
        appId: 'A0TEST',
        authVersion: 'v2',
      };
      await mongoInstallationStore(app.deps).storeInstallation(installation);
      // what the app's own install does next: read the workspace's people (their languages)
      await app.directory.list(teamId);
      return installer;
    },
    async close() {
      await app.stop();
      // the database is dumped by the harness that owns it, after its app (and any reusing one) stopped
      await recorder?.finish({ config, slack, media, db: opts.reuse ? undefined : mongo.client.db(mongo.dbName) });
      if (opts.reuse) return;
      await media?.close();
      await slack.close();
      await mongo.close();
    },
  };
}

/**
 * A correctly signed block_actions request for an element the user was never shown (a crafted
 * payload, as an attacker inside the workspace could send): `action` is the actions[0] object,
 * `view` what the payload claims the container is (a Home tab by default). Returns the HTTP status.
 */
export async function craftedAction(
  h: Harness,
  i: { teamId: string; userId: string; action: Record<string, unknown>; view?: Record<string, unknown> },
): Promise<number> {
  const view = { id: 'V0CRAFTED', type: 'home', team_id: i.teamId, blocks: [], state: { values: {} }, ...i.view };
  const payload = {
    type: 'block_actions',
    api_app_id: 'A0TEST',
    token: 'legacy',
    trigger_id: `${Date.now()}.${Math.random()}.crafted`,
    user: { id: i.userId, team_id: i.teamId, username: 'x', name: 'x' },
    team: { id: i.teamId, domain: 'x' },
    container: { type: 'view', view_id: view.id },
    view,
    actions: [{ block_id: 'crafted', action_ts: String(Date.now() / 1000), ...i.action }],
  };
  const res = await postSigned(h, `payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await res.text();
  return res.status;
}

/** POSTs `body` to the app's /slack/events, signed now as Slack signs (the emulator's signing secret). */
export async function postSigned(
  h: Pick<Harness, 'app' | 'slack'>,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${h.app.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': h.slack.sign(body, ts) },
    body,
    signal: init.signal,
  });
}

/** Waits until `fn` returns a truthy value (polling), or fails with `what`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what = 'condition',
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
