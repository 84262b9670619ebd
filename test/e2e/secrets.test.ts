/**
 * The worst thing this product could do is leak a team's media logins. Link one account per medium,
 * each with a unique secret, go through every screen that shows accounts, fail some logins, then
 * search every place a secret could end up: a raw dump of every collection, the captured logs,
 * every Web API call and response_url post the Slack emulator received. Zero hits.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EJSON } from 'bson';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { linkViaSlack } from '../helpers/flows';

let h: Harness;
const T = 'T0SECRET';
const ADMIN = 'U0SECRETADMIN';

beforeAll(async () => {
  h = await startHarness({ media: true });
  await h.install(T, { users: [{ id: 'U0SECRETEN', locale: 'en-US' }] });
}, 60_000);
afterAll(() => h?.close());

it('no credential appears in MongoDB, logs, or anything sent to Slack', async () => {
  const secrets = {
    wantedly: 'wantedlySecretKEY9f3a1c77d2',
    bizreach: 'bizreach-Pw-7Q2xZ!9k',
    green: 'green-Pw-4Rk8Vt#2m',
    findy: 'findy-Pw-8Lm3Nq$7w',
    paiza: 'paiza-Pw-2Hs6Jd%4x',
    openwork: 'openwork-Pw-5Tg1Yb^8c',
  };
  h.media!.wantedly.addAccount({ apiKey: secrets.wantedly });
  const consoles = {
    bizreach: { login: 'leak@bizreach.example', field: 'email' },
    green: { login: 'leak-green-co', field: 'company_id' },
    findy: { login: 'leak@findy.example', field: 'email' },
    paiza: { login: 'leak-paiza-user', field: 'user_id' },
    openwork: { login: 'leak-openwork-user', field: 'user_id' },
  } as const;
  for (const [m, c] of Object.entries(consoles) as [keyof typeof consoles, (typeof consoles)[keyof typeof consoles]][]) {
    h.media![m].addAccount({ login: c.login, password: secrets[m] });
  }
  await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: secrets.wantedly }, 'leak-wantedly');
  for (const [m, c] of Object.entries(consoles) as [keyof typeof consoles, (typeof consoles)[keyof typeof consoles]][]) {
    await linkViaSlack(h, T, ADMIN, m, { [c.field]: c.login, password: secrets[m] }, `leak-${m}`);
    // and a wrong password that is also a secret
    await linkViaSlack(h, T, ADMIN, m, { [c.field]: `${c.login}x`, password: `${secrets[m]}-wrong` }, `leak-${m}-bad`);
  }
  await eventually(
    async () => (await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T, state: 'authenticating' })) === 0,
    'all checked',
    120_000,
  );
  // every screen that shows accounts: /ats accounts (ja, en) and the App Home, and a re-enter modal
  for (const user of [ADMIN, 'U0SECRETEN']) {
    const res = await h.slack.slash({ teamId: T, userId: user, text: 'accounts' });
    await eventually(() => res.responses()[0], 'accounts');
    await h.slack.sendEvent({
      teamId: T,
      event: { type: 'app_home_opened', user, tab: 'home', channel: 'D0X', event_ts: String(Date.now() / 1000) },
    });
  }
  const acc = await h.app.deps.store.mediaAccounts.findOne({ teamId: T, label: 'leak-wantedly' });
  const msg = h.slack.messages({ teamId: T, ephemeral: true }).find((m) => JSON.stringify(m.blocks ?? []).includes(`account_${acc!._id}`));
  await h.slack.clickButton({
    teamId: T,
    userId: ADMIN,
    actionId: 'acct:reenter',
    blockId: `account_${acc!._id}`,
    message: { channel: msg!.channel, ts: msg!.ts },
  });
  await h.slack.waitForCall('views.publish');
  await h.slack.waitForCall('views.open', (c) => JSON.stringify(c.args).includes('reenter') || JSON.stringify(c.args).includes('再入力'));

  const haystacks: Record<string, string> = {};
  for (const name of await h.app.deps.store.db.listCollections().toArray()) {
    const docs = await h.app.deps.store.db.collection(name.name).find({}).toArray();
    haystacks[`db.${name.name}`] = EJSON.stringify(docs);
  }
  haystacks.logs = h.logs.join('\n');
  // what the app sent to Slack (the emulator's recorded responses hold live view objects whose
  // state it fills on submission, i.e. what the user typed in Slack, not something the app sent)
  haystacks.slackCalls = JSON.stringify(h.slack.calls().map((c) => ({ method: c.method, args: c.args })));
  haystacks.slackResponses = JSON.stringify(h.slack.responses());
  haystacks.slackMessages = JSON.stringify(h.slack.messages({ teamId: T, includeDeleted: true }));
  haystacks.healthz = await (await fetch(`${h.app.url}/healthz`)).text();

  const hits: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of Object.values(secrets)) if (text.includes(secret)) hits.push(`${where}: ${secret.slice(0, 6)}…`);
  }
  expect(hits).toEqual([]);
  // and the credentials are there, encrypted (the test would pass vacuously if nothing was stored)
  expect(await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T, credentials: /^enc:v1:/ })).toBe(11);
  expect(haystacks['db.mediaAccounts'].length).toBeGreaterThan(1000);
}, 240_000);
