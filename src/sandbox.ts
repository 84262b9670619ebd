/**
 * The local sandbox (no Slack credentials): the Slack emulator with a demo workspace, the six
 * job-media emulators with demo accounts and applicants, and the app wired to them. Everything stays
 * on this machine; the console says what to open and what to type.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config';
import { startApp, type AppHandle } from './server';
import { mediaUrlEnv } from './domain/connector-context';

export const SANDBOX = {
  teamId: 'T0SANDBOX',
  admin: 'U0ADMIN',
  englishUser: 'U0ALEX',
  member: 'U0HANAKO',
  channel: 'C0RECRUIT',
  wantedlyKey: 'sandbox-wantedly-api-key-0001',
  login: 'recruiter@example.com',
  loginId: 'sandbox-recruiter',
  password: 'sandbox-password',
};

export async function startSandbox(base: Config, mongoUri: string, logger: Logger): Promise<{ handle: AppHandle; close(): Promise<void> }> {
  // emulators/ is the project's local Slack and media; the sandbox is their other user.
  const { startSlackEmulator } = await import('../emulators/slack/index');
  const { startMediaEmulators } = await import('../emulators/media');
  const signingSecret = randomBytes(16).toString('hex');
  const slackPort = Number(process.env.SANDBOX_SLACK_PORT ?? base.PORT + 1);
  const slack = await startSlackEmulator({ port: slackPort, signingSecret });
  const media = await startMediaEmulators();

  const s = SANDBOX;
  slack.addTeam({ id: s.teamId, name: 'hire-relay sandbox' });
  slack.addUser({ teamId: s.teamId, id: s.admin, name: 'sato', realName: '佐藤 (org admin)', locale: 'ja-JP', isAdmin: true });
  slack.addUser({ teamId: s.teamId, id: s.englishUser, name: 'alex', realName: 'Alex (English)', locale: 'en-US' });
  slack.addUser({ teamId: s.teamId, id: s.member, name: 'hanako', realName: '花子', locale: 'ja-JP' });
  slack.addChannel({ teamId: s.teamId, id: s.channel, name: 'recruiting-engineers', members: [s.admin, s.englishUser, s.member] });
  const token = slack.issueBotToken(s.teamId);
  slack.joinChannel(s.channel, slack.botUser(s.teamId).userId);

  media.wantedly.addAccount({ apiKey: s.wantedlyKey, companyName: 'サンドボックス株式会社' });
  media.wantedly.generateEntries(s.wantedlyKey, { count: 40, seed: 7 });
  for (const m of ['bizreach', 'findy'] as const) {
    media[m].addAccount({ login: s.login, password: s.password });
    media[m].generateApplicants(s.login, { count: 30, seed: 11 });
  }
  for (const m of ['green', 'paiza', 'openwork'] as const) {
    media[m].addAccount({ login: s.loginId, password: s.password });
    media[m].generateApplicants(s.loginId, { count: 30, seed: 13 });
  }

  const config = loadConfig({
    ...process.env,
    // a local sandbox: its secrets are demo ones, kept with a local key under DATA_DIR
    NODE_ENV: 'development',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: token,
    SLACK_API_URL: slack.apiUrl,
    ...mediaUrlEnv(media.urls),
  });
  const handle = await startApp({ config, mongoUri, logger });
  slack.setAppRequestUrl(`${handle.url}/slack/events`);

  const lines = [
    '',
    'hire-relay sandbox is running (no Slack credentials set, so everything is local).',
    `  Slack (emulated):   open ${slack.url}/  to type /ats commands as a demo user and see what the app posts`,
    `  App:                ${handle.url}  (health: ${handle.url}/healthz)`,
    '  Try, as 佐藤 (org admin):  /ats help · /ats link wantedly · /ats accounts · /ats job new · /ats mapping',
    `  Demo credentials:   Wantedly API key ${s.wantedlyKey}`,
    `                      BizReach / Findy: ${s.login} + ${s.password}`,
    `                      Green / paiza / OpenWork: ${s.loginId} + ${s.password}`,
    '  (sandbox-only demo values; real credentials are never printed)',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return {
    handle,
    async close() {
      await handle.stop();
      await media.close();
      await slack.close();
    },
  };
}
