/**
 * The OAuth v2 install, end to end against the Slack emulator: GET /slack/install → the emulator's
 * authorize page → GET /slack/oauth_redirect?code&state → oauth.v2.access → the installation stored
 * encrypted in MongoDB, the installer made org admin, a welcome DM. A forged or missing state installs
 * nothing. app_uninstalled and tokens_revoked (bot) forget the tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, freePort, eventually, type Harness } from '../helpers/app';
import type { Installation } from '@slack/bolt';
import { mongoInstallationStore } from '../../src/domain/installations';

let h: Harness;
let installUrl: string;

beforeAll(async () => {
  h = await startHarness({ port: await freePort() });
  installUrl = `${h.config.publicUrl}/slack/install`;
  h.slack.setOAuthRedirectUri(`${h.config.publicUrl}/slack/oauth_redirect`);
});
afterAll(() => h?.close());

function addWorkspace(teamId: string, installer: string, locale: 'ja-JP' | 'en-US' = 'ja-JP') {
  h.slack.addTeam({ id: teamId, name: `Team ${teamId}` });
  h.slack.addUser({ teamId, id: installer, name: `inst-${teamId.toLowerCase()}`, locale, isAdmin: true });
  h.slack.addUser({ teamId, id: `${installer}X`, name: `second-${teamId.toLowerCase()}`, locale });
}

const rawInstallation = (teamId: string) =>
  h.mongo.client
    .db(h.mongo.dbName)
    .collection('installations')
    .findOne({ _id: teamId as never });

async function install(teamId: string, userId: string) {
  const r = await h.slack.authorize({ teamId, userId, url: installUrl });
  expect(r.error).toBeUndefined();
  expect(r.status, r.body.slice(0, 300)).toBe(200);
  const access = h.slack.calls('oauth.v2.access').find((c) => c.args.code === r.code);
  expect(access, 'oauth.v2.access with the code').toBeDefined();
  expect((access!.response as { ok: boolean }).ok).toBe(true);
  return { result: r, botToken: (access!.response as { access_token: string }).access_token };
}

/**
 * The browser half of the flow done by hand, so the test can tamper with what reaches the callback:
 * GET /slack/install (state cookie + redirect), approve on the emulator's authorize form, and return
 * the callback URL the emulator redirected to, with the cookie.
 */
async function approveWithoutCallback(teamId: string, userId: string) {
  const start = await fetch(installUrl, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  expect(cookie).toMatch(/state/);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(h.slack.url);
  const form = new URLSearchParams({ query: authorize.searchParams.toString(), who: `${teamId}|${userId}`, decision: 'allow' });
  const approved = await fetch(`${h.slack.url}/oauth/v2/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get('location')!);
  expect(callback.pathname).toBe('/slack/oauth_redirect');
  expect(callback.searchParams.get('code')).toBeTruthy();
  return { callback, cookie, state: callback.searchParams.get('state')! };
}

describe('OAuth v2 install', () => {
  const T = 'T0INST01';
  const U = 'U0INST01';

  it('sends the browser to the authorize page with our client id, scopes and redirect URL', async () => {
    const res = await fetch(installUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${h.slack.url}/oauth/v2/authorize`);
    expect(to.searchParams.get('client_id')).toBe('1111.2222');
    expect(to.searchParams.get('scope')).toContain('commands');
    expect(to.searchParams.get('redirect_uri')).toBe(`${h.config.publicUrl}/slack/oauth_redirect`);
    expect(to.searchParams.get('state')).toBeTruthy();
  });

  it('stores the installation encrypted, makes the installer org admin and DMs a welcome', async () => {
    addWorkspace(T, U);
    const { botToken } = await install(T, U);
    expect(botToken).toMatch(/^xoxb-/);

    const raw = await eventually(() => rawInstallation(T), 'installation document');
    const text = JSON.stringify(raw);
    expect(text).not.toContain(botToken);
    expect(text).not.toContain('xoxb-');
    expect(text).not.toContain('client-secret-xyz');
    expect(raw!.teamId).toBe(T);
    expect(raw!.installedBy).toBe(U);
    expect(String(raw!.encrypted)).toMatch(/^enc:v1:k1:/);
    // it decrypts with the app's keyring, bound to this installation's id
    const inst = h.app.deps.keyring.decryptJson<Installation>(raw!.encrypted, `installation:${T}`);
    expect(inst.bot?.token).toBe(botToken);
    expect(() => h.app.deps.keyring.decryptJson(raw!.encrypted, 'installation:T0OTHER')).toThrow();

    const member = await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: U }), 'installer member');
    expect(member.orgRole).toBe('org_admin');
    expect(await h.app.deps.store.orgs.findOne({ _id: T })).not.toBeNull();

    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args.channel === U && c.teamId === T);
    expect((dm.response as { ok: boolean }).ok).toBe(true);
    expect(String(dm.args.text)).toContain('最初の組織管理者');
    expect(dm.token).toBe(botToken);
  });

  it('a stored installation with a new token is used at once (no stale cached installation)', async () => {
    await h.slack.slash({ teamId: T, userId: U, text: 'help' }); // authorizes with (and caches) the current token
    const raw = await rawInstallation(T);
    const inst = h.app.deps.keyring.decryptJson<Installation>(raw!.encrypted, `installation:${T}`);
    const rotated = h.slack.issueBotToken(T);
    expect(rotated).not.toBe(inst.bot!.token);
    await mongoInstallationStore(h.app.deps).storeInstallation({ ...inst, bot: { ...inst.bot!, token: rotated } });
    h.slack.reset();
    await h.slack.openHome({ teamId: T, userId: U });
    const publish = await h.slack.waitForCall('views.publish', (c) => c.args.user_id === U);
    expect(publish.token).toBe(rotated);
  });

  it('the new workspace works right away (its token from the store)', async () => {
    const res = await h.slack.slash({ teamId: T, userId: U, text: 'help' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toContain('使い方');
  });

  it('installing again (another user) keeps the first admin and sends no second welcome', async () => {
    h.slack.reset();
    await install(T, `${U}X`);
    const admins = await h.app.deps.store.members.find({ teamId: T, orgRole: 'org_admin' }).toArray();
    expect(admins.map((a) => a.userId)).toEqual([U]);
    expect(await h.app.deps.store.installations.countDocuments({ teamId: T })).toBe(1);
    expect(h.slack.calls('chat.postMessage')).toHaveLength(0);
  });

  it('welcomes an English installer in English', async () => {
    addWorkspace('T0INSTEN', 'U0INSTEN', 'en-US');
    await install('T0INSTEN', 'U0INSTEN');
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'U0INSTEN');
    expect(String(dm.args.text)).toContain('first org admin');
  });
});

describe('a bad state installs nothing', () => {
  it.each([
    ['a forged state', (s: string) => `${s.slice(0, -4)}AAAA`, true],
    ['a random state', () => 'forged-state-value', true],
    ['no state at all', () => null, true],
    ['a valid state without its browser cookie', (s: string) => s, false],
  ] as const)('%s', async (_name, tamper, withCookie) => {
    const team = `T0BAD${Math.floor(Math.random() * 1e6)}`;
    const user = `U0BAD${team.slice(5)}`;
    addWorkspace(team, user);
    const before = h.slack.calls('oauth.v2.access').length;
    const { callback, cookie, state } = await approveWithoutCallback(team, user);
    const s = tamper(state);
    if (s === null) callback.searchParams.delete('state');
    else callback.searchParams.set('state', s);
    const res = await fetch(callback, { redirect: 'manual', headers: withCookie ? { cookie } : {} });
    expect(res.status).not.toBe(200);
    expect(res.status).toBeGreaterThanOrEqual(400);
    // refused before the code is exchanged: no token was ever issued to us
    expect(h.slack.calls('oauth.v2.access').length).toBe(before);
    expect(await rawInstallation(team)).toBeNull();
    expect(await h.app.deps.store.members.countDocuments({ teamId: team })).toBe(0);
  });

  it('the untampered callback with its cookie installs (control)', async () => {
    const team = 'T0BADCTRL';
    addWorkspace(team, 'U0BADCTRL');
    const { callback, cookie } = await approveWithoutCallback(team, 'U0BADCTRL');
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(res.status).toBe(200);
    await eventually(() => rawInstallation(team), 'installation');
  });

  it('a denied install stores nothing', async () => {
    addWorkspace('T0DENY', 'U0DENY');
    const r = await h.slack.authorize({ teamId: 'T0DENY', userId: 'U0DENY', url: installUrl, deny: true });
    expect(r.status).not.toBe(200);
    expect(await rawInstallation('T0DENY')).toBeNull();
  });
});

describe('uninstall', () => {
  it('app_uninstalled removes the installation; the workspace gets no client any more', async () => {
    const T = 'T0UNINST1';
    addWorkspace(T, 'U0UNINST1');
    await install(T, 'U0UNINST1');
    expect(await h.app.deps.slack.clientFor(T)).not.toBeNull();
    const res = await h.slack.sendEvent({ teamId: T, event: { type: 'app_uninstalled' } });
    expect(res.status).toBe(200);
    await eventually(async () => (await rawInstallation(T)) === null, 'installation removed');
    expect(await h.app.deps.slack.clientFor(T)).toBeNull();
    // requests from the workspace are no longer authorized (no cached installation lingers)
    const after = await h.slack.slash({ teamId: T, userId: 'U0UNINST1', text: 'help' });
    expect(JSON.stringify(after.json ?? {})).not.toContain('使い方');
    // the org's data stays (members) until deleted on request
    expect(await h.app.deps.store.members.countDocuments({ teamId: T })).toBe(1);
  });

  it('tokens_revoked for the bot removes the installation', async () => {
    const T = 'T0UNINST2';
    addWorkspace(T, 'U0UNINST2');
    await install(T, 'U0UNINST2');
    const bot = h.slack.botUser(T).userId;
    expect(await h.app.deps.slack.clientFor(T)).not.toBeNull();
    const res = await h.slack.sendEvent({ teamId: T, event: { type: 'tokens_revoked', tokens: { bot: [bot], oauth: [] } } });
    expect(res.status).toBe(200);
    await eventually(async () => (await rawInstallation(T)) === null, 'installation removed');
    expect(await h.app.deps.slack.clientFor(T)).toBeNull();
  });

  it('tokens_revoked for a user token only keeps the installation', async () => {
    const T = 'T0UNINST3';
    addWorkspace(T, 'U0UNINST3');
    await install(T, 'U0UNINST3');
    const res = await h.slack.sendEvent({ teamId: T, event: { type: 'tokens_revoked', tokens: { oauth: ['U0UNINST3'], bot: [] } } });
    expect(res.status).toBe(200);
    // a later, unrelated delivery to the same workspace has been handled: the revocation was too
    const probe = await h.slack.slash({ teamId: T, userId: 'U0UNINST3', text: 'help' });
    expect(probe.status).toBe(200);
    expect(await rawInstallation(T)).not.toBeNull();
  });

  it('the emulator uninstall (tokens_revoked + app_uninstalled) removes it too, and other workspaces stay', async () => {
    const T = 'T0UNINST4';
    addWorkspace(T, 'U0UNINST4');
    await install(T, 'U0UNINST4');
    const others = await h.app.deps.store.installations.countDocuments({ teamId: { $ne: T } });
    const res = await h.slack.uninstall(T);
    expect(res.map((r) => r.status)).toEqual([200, 200]);
    await eventually(async () => (await rawInstallation(T)) === null, 'installation removed');
    expect(await h.app.deps.store.installations.countDocuments({ teamId: { $ne: T } })).toBe(others);
  });
});
