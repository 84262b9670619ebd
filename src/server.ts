/**
 * The Bolt app on HTTP (not Socket Mode): signature-checked POST /slack/events for commands,
 * interactivity, options and events; GET /healthz; the OAuth v2 install routes; and the Agenda
 * worker. Both install modes: one workspace with SLACK_BOT_TOKEN, or OAuth distribution with an
 * installation store in MongoDB (tokens encrypted).
 */
import type { Server } from 'node:http';
import { App, LogLevel, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Deps } from './domain/deps';
import { openStore, type Store } from './storage/db';
import { Keyring } from './security/crypto';
import { localKeyring } from './security/local-key';
import { createSlackGateway, slackClientOptions, teamOfToken } from './slack/gateway';
import type { DirectorySettings, UserDirectory } from './slack/user-directory';
import { onlyInstalledTeam } from './single-workspace';
import { createAgenda, ensureAgendaIndexes, logAgendaErrors, type Agenda } from './jobs/agenda';
import { registerJobs, reconcileSchedules } from './jobs/register';
import { agendaAccountJobs } from './jobs/account-jobs';
import { agendaCardJobs } from './jobs/card-jobs';
import { mongoInstallationStore } from './domain/installations';
import { rotateSecrets } from './domain/key-rotation';
import { cancelPurge } from './domain/org-purge';
import { registerAll } from '../commands';
import { payloadProblem } from '../commands/payloads';
import { createNotifier } from './notifier';
import { createCardDelivery } from './notifier/cards/deliver';
import { DEFAULT_CARD_POSTING, type CardPostingSettings } from './notifier/cards/settings';
import { createPacedPosting } from './slack/paced-poster';
import { SLACK_SCOPES } from './slack/scopes';
import { configureBrowser } from '../connectors/browser';
import { guardSlackRequests } from './request-guard';

export interface AppHandle {
  app: App;
  deps: Deps;
  /** People's Slack facts, read ahead of requests (tests wait for it to be idle). */
  directory: UserDirectory;
  agenda: Agenda;
  server: Server;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  mongoUri: string;
  logger: Logger;
  port?: number;
  /** Run Agenda jobs in this process (default true). */
  worker?: boolean;
  clock?: () => Date;
  agendaProcessEveryMs?: number;
  /** Card delivery tunables (pace, lease, digest threshold); Slack's real pace by default. */
  cardPosting?: Partial<CardPostingSettings>;
  /** The user directory's pace and back-off (src/slack/user-directory.ts); Slack's tiers by default. */
  userDirectory?: Partial<DirectorySettings>;
  /** How long a modal submission may work before it is acked anyway (commands/dispatch.ts). */
  ackBudgetMs?: number;
}

function boltLogger(logger: Logger): BoltLogger {
  const l = logger.child({ component: 'bolt' });
  return {
    debug: (...m) => l.debug(m.map(String).join(' ')),
    info: (...m) => l.info(m.map(String).join(' ')),
    warn: (...m) => l.warn(m.map(String).join(' ')),
    error: (...m) => l.error(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

export async function startApp(opts: StartOptions): Promise<AppHandle> {
  const { config, logger } = opts;
  configureBrowser({ executablePath: config.CHROMIUM_PATH, maxConcurrent: config.IMPORT_BROWSER_CONCURRENCY });
  const store: Store = await openStore(opts.mongoUri, config.MONGODB_DB, { logger: logger.child({ component: 'storage' }) });
  const keyring = new Keyring(
    config.ENCRYPTION_KEY ?? localKeyring(config.slackMode === 'sandbox' || config.NODE_ENV !== 'production' ? config.DATA_DIR : null),
  );
  const gateway = createSlackGateway(config, store, keyring, logger, opts.userDirectory);
  const agenda = createAgenda(store.db, { name: `hire-relay-${process.pid}`, processEveryMs: opts.agendaProcessEveryMs });
  logAgendaErrors(agenda, logger);
  await ensureAgendaIndexes(store.db);
  const deps: Deps = {
    config,
    store,
    keyring,
    logger,
    slack: gateway,
    accountJobs: agendaAccountJobs(agenda, store.db),
    cardJobs: agendaCardJobs(agenda, { store }),
    notifier: createNotifier({ slack: gateway, logger }),
    clock: opts.clock ?? (() => new Date()),
  };

  const healthz: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: async (_req, res) => {
      const ok = await store.ping();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ db: ok ? 'ok' : 'unavailable' }));
    },
  };

  const common = {
    signingSecret: config.SLACK_SIGNING_SECRET!,
    endpoints: '/slack/events',
    customRoutes: [healthz],
    logger: boltLogger(logger),
    clientOptions: slackClientOptions(config),
    processBeforeResponse: false,
    // Bolt's default in-memory conversation store runs on every request (a rejected lookup with a new
    // Error each time) and is per process; nothing here uses context.conversation.
    convoStore: false as const,
  };
  const installationStore = mongoInstallationStore(
    deps,
    (teamId, userId) => deps.notifier.welcome(teamId, userId),
    (teamId) => {
      gateway.forget(teamId);
      // after the install is stored: read the workspace's people (locale, admin, guest) in the
      // background, so that the first requests of all of them find their language known
      void gateway.directory.list(teamId);
    },
  );
  const app =
    config.slackMode === 'oauth'
      ? new App({
          ...common,
          clientId: config.SLACK_CLIENT_ID,
          clientSecret: config.SLACK_CLIENT_SECRET,
          stateSecret: config.SLACK_STATE_SECRET,
          scopes: SLACK_SCOPES,
          installationStore,
          installerOptions: {
            installPath: '/slack/install',
            redirectUriPath: '/slack/oauth_redirect',
            directInstall: true,
            authorizationUrl: config.SLACK_AUTHORIZE_URL,
            clientOptions: slackClientOptions(config),
          },
          redirectUri: `${config.publicUrl}/slack/oauth_redirect`,
        })
      : new App({ ...common, token: config.SLACK_BOT_TOKEN, tokenVerificationEnabled: false });

  if (config.slackMode !== 'oauth' && config.SLACK_BOT_TOKEN) {
    // one workspace: the one the bot token belongs to (asked once, here); requests claiming another are ignored
    const installed = await teamOfToken(config, config.SLACK_BOT_TOKEN);
    logger.info({ teamId: installed.teamId }, "single-workspace mode: serving the bot token's workspace only");
    app.use(onlyInstalledTeam(installed.teamId, logger));
    const org = await store.orgs.findOne({ _id: installed.teamId }, { projection: { usersListedAt: 1 } });
    if (!org?.usersListedAt) void gateway.directory.list(installed.teamId); // never listed: read its people now
    // a working bot token: the workspace has the app (again), so its data is not purged
    await cancelPurge(deps, installed.teamId);
  }
  registerAll(app, deps, gateway.forget, { ackBudgetMs: opts.ackBudgetMs });
  const cardPosting = { ...DEFAULT_CARD_POSTING, ...opts.cardPosting };
  const posting = createPacedPosting({ postingClientFor: gateway.postingClientFor, logger, settings: cardPosting });
  registerJobs(agenda, deps, createCardDelivery(deps, posting, cardPosting));

  const server = (await app.start(opts.port ?? config.PORT)) as Server;
  guardSlackRequests(server, { path: common.endpoints, signingSecret: common.signingSecret, logger, check: payloadProblem });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? config.PORT);
  if (opts.worker !== false) {
    await agenda.start();
    await reconcileSchedules(deps, agenda);
    // after a key rotation: re-encrypt what older keys hold (in the background; idempotent)
    void rotateSecrets(deps).catch((err) => logger.error({ err }, 'key rotation failed; it runs again at the next start'));
  }
  logger.info({ port, slackMode: config.slackMode }, 'hire-relay is listening');

  let stopped = false;
  return {
    app,
    deps,
    directory: gateway.directory,
    agenda,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      // drain, not stop: running imports finish instead of being freed mid-run to another instance
      gateway.directory.stop();
      // a lookup in flight writes its answer before the store closes (bounded: a slow Slack does not hold the stop)
      await Promise.race([gateway.directory.idle(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await agenda.drain({ timeout: 30_000 }).catch((err) => logger.warn({ err }, 'agenda drain failed'));
      await app.stop().catch(() => undefined);
      await store.close();
    },
  };
}
