/**
 * Linking media accounts from Slack, end to end: signed slash commands, modal submissions and
 * button clicks to the running app; assertions on the Slack emulator and on MongoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startHarness, eventually, craftedAction, type Harness } from '../helpers/app';
import type { Medium } from '../../src/vocabulary';

let h: Harness;
const T = 'T0LINK01';
const ADMIN = 'U0LINK01ADMIN';
const MEMBER = 'U0LINKMEMBER';

beforeAll(async () => {
  h = await startHarness({ media: true });
  await h.install(T, { users: [{ id: MEMBER }, { id: 'U0LINKEN', locale: 'en-US' }] });
}, 60_000);
afterAll(() => h?.close());

async function openLinkModal(userId: string, medium: string) {
  h.slack.reset();
  await h.slack.slash({ teamId: T, userId, text: `link ${medium}` });
  const open = await h.slack.waitForCall('views.open');
  return (open.response as { view: { id: string } }).view.id;
}

async function link(medium: Medium, values: Record<string, string>, label?: string) {
  const viewId = await openLinkModal(ADMIN, medium);
  const v: Record<string, { value: string }> = {};
  for (const [k, val] of Object.entries(values)) v[k] = { value: val };
  if (label) v.label = { value: label };
  const res = await h.slack.submitView({ userId: ADMIN, viewId, values: v });
  return res;
}

/** A signed click on a button the user never saw (a crafted request). */
async function craftedClick(teamId: string, userId: string, actionId: string, value: string) {
  expect(await craftedAction(h, { teamId, userId, action: { type: 'button', action_id: actionId, value } })).toBe(200);
}

/** `/ats accounts` as a user, then a click on a button of that (ephemeral) message. */
async function clickInAccounts(userId: string, actionId: string, accountId: string, teamId = T) {
  h.slack.reset();
  const res = await h.slack.slash({ teamId, userId, text: 'accounts' });
  await eventually(() => res.responses()[0], 'accounts message');
  // the message pages its accounts: follow "next" until the account is on the page
  let msg = h.slack.messages({ teamId, ephemeral: true }).at(-1);
  for (let i = 0; msg && i < 10 && !JSON.stringify(msg.blocks ?? []).includes(`account_${accountId}`); i++) {
    if (!JSON.stringify(msg.blocks ?? []).includes('acct:page:next')) break;
    const { ts, channel } = msg;
    const before = msg.edited?.count ?? 0;
    await h.slack.clickButton({ teamId, userId, actionId: 'acct:page:next', message: { channel, ts } });
    msg = await eventually(
      () => h.slack.messages({ teamId, ephemeral: true }).find((m) => m.ts === ts && (m.edited?.count ?? 0) !== before),
      'next page',
    );
  }
  expect(JSON.stringify(msg?.blocks ?? []), 'accounts message with the account buttons').toContain(`account_${accountId}`);
  return h.slack.clickButton({
    teamId,
    userId,
    actionId,
    blockId: `account_${accountId}`,
    message: { channel: msg!.channel, ts: msg!.ts },
  });
}

const account = (label: string) => h.app.deps.store.mediaAccounts.findOne({ teamId: T, label });
const stateOf = async (label: string) => (await account(label))?.state;

describe('wantedly', () => {
  it('links with a good API key, tells the linker by DM, and imports', async () => {
    h.media!.wantedly.addAccount({ apiKey: 'wantedly-good-key-000001' });
    h.media!.wantedly.generateEntries('wantedly-good-key-000001', { count: 12, meetupRatio: 0.25, seed: 3 });
    const res = await link('wantedly', { api_key: 'wantedly-good-key-000001' }, 'Tokyo');
    expect(res.responseAction).not.toBe('errors');
    expect(await stateOf('Tokyo')).toMatch(/authenticating|linked/);
    await eventually(async () => (await stateOf('Tokyo')) === 'linked', 'linked');
    const dm = await eventually(
      () => h.slack.messages({ teamId: T }).find((m) => JSON.stringify(m).includes('連携が完了しました')),
      'linked DM',
    );
    expect(dm).toBeTruthy();
    const acc = await account('Tokyo');
    await eventually(
      async () => (await h.app.deps.store.mediaAccounts.findOne({ _id: acc!._id }))?.lastRun?.outcome === 'success',
      'first import',
    );
    const n = await h.app.deps.store.candidates.countDocuments({ teamId: T, medium: 'wantedly' });
    expect(n).toBeGreaterThan(0);
  });

  it('a wrong API key ends in auth_failed and the DM asks to re-enter', async () => {
    const res = await link('wantedly', { api_key: 'wantedly-wrong-key-00001' }, 'Wrong');
    expect(res.responseAction).not.toBe('errors');
    await eventually(async () => (await stateOf('Wrong')) === 'auth_failed', 'auth_failed');
    await eventually(() => h.slack.messages({ teamId: T }).find((m) => JSON.stringify(m).includes('認証情報を再入力')), 'auth failed DM');
  });

  it('an emulator fault ends in system_error, then recovers by itself', async () => {
    h.media!.wantedly.addAccount({ apiKey: 'wantedly-flaky-key-00001' });
    h.media!.wantedly.injectFault({ kind: 'error', status: 503 });
    await link('wantedly', { api_key: 'wantedly-flaky-key-00001' }, 'Flaky');
    await eventually(async () => (await stateOf('Flaky')) === 'system_error', 'system_error');
    const acc = await account('Flaky');
    expect(acc!.lastError?.reason).toMatch(/^service:/);
    h.media!.wantedly.clearFaults();
    // the retry is backed off (minutes): once the failed check has ended, bring it forward
    const jobs = h.app.deps.store.db.collection('agendaJobs');
    const q = { 'data.accountId': String(acc!._id), name: 'auth-api' };
    const pending = await eventually(async () => {
      const j = await jobs.findOne(q);
      return j && !j.lockedAt && j.nextRunAt && j.nextRunAt > new Date() ? j : null;
    }, 'the backed-off retry');
    expect(pending.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    await jobs.updateOne(q, { $set: { nextRunAt: new Date() } });
    await eventually(async () => (await stateOf('Flaky')) === 'linked', 'recovered to linked');
  });

  it('rejects a malformed key under its field and stores nothing', async () => {
    const before = await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T });
    const res = await link('wantedly', { api_key: 'short' });
    expect(res.responseAction).toBe('errors');
    expect(Object.keys(res.errors ?? {})).toEqual(['api_key']);
    expect(await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T })).toBe(before);
  });
});

describe('an unknown or missing medium', () => {
  it('answers with the list of media', async () => {
    h.slack.reset();
    const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'link monster' });
    const reply = await eventually(() => res.responses()[0], 'reply');
    const text = JSON.stringify(reply);
    expect(text).toContain('bizreach');
    expect(text).toContain('openwork');
    expect(h.slack.calls('views.open')).toHaveLength(0);
  });
});

describe('console media (Chromium)', () => {
  const CASES: { medium: Exclude<Medium, 'wantedly'>; login: string; fields: (login: string, pw: string) => Record<string, string> }[] = [
    { medium: 'bizreach', login: 'hr@bizreach-co.example', fields: (l, p) => ({ email: l, password: p }) },
    { medium: 'green', login: 'green-co-01', fields: (l, p) => ({ company_id: l, password: p }) },
    { medium: 'findy', login: 'hr@findy-co.example', fields: (l, p) => ({ email: l, password: p }) },
    { medium: 'paiza', login: 'paiza-user-01', fields: (l, p) => ({ user_id: l, password: p }) },
    { medium: 'openwork', login: 'openwork-user-01', fields: (l, p) => ({ user_id: l, password: p }) },
  ];
  for (const c of CASES) {
    it(`${c.medium}: good login → linked; wrong password → auth_failed; maintenance → system_error → recovery; pause, resume, unlink`, async () => {
      const emu = h.media![c.medium];
      emu.addAccount({ login: c.login, password: 'correct-horse-1' });
      await link(c.medium, c.fields(c.login, 'correct-horse-1'), `${c.medium}-ok`);
      await eventually(async () => (await stateOf(`${c.medium}-ok`)) === 'linked', `${c.medium} linked`, 60_000);
      emu.addAccount({ login: `${c.login}x`, password: 'correct-horse-2' });
      await link(c.medium, c.fields(`${c.login}x`, 'wrong-password'), `${c.medium}-bad`);
      await eventually(async () => (await stateOf(`${c.medium}-bad`)) === 'auth_failed', `${c.medium} auth_failed`, 60_000);
      // the same login again: refused under the login field (not the password), naming the account that has it
      const again = await link(c.medium, c.fields(`${c.login}x`, 'another-password'), `${c.medium}-again`);
      expect(again.responseAction).toBe('errors');
      const loginField = Object.keys(c.fields('', ''))[0];
      expect(Object.keys(again.errors ?? {})).toEqual([loginField]);
      expect(String(again.errors?.[loginField])).toContain(`「${c.medium}-bad」`);

      // the console in maintenance (503) → system_error; once it is back, the backed-off check links it
      await eventually(async () => (await account(`${c.medium}-ok`))?.lastRun?.finishedAt, 'first import of the ok account', 60_000);
      emu.addAccount({ login: `${c.login}m`, password: 'correct-horse-3' });
      emu.injectFault({ kind: 'maintenance' });
      await link(c.medium, c.fields(`${c.login}m`, 'correct-horse-3'), `${c.medium}-maint`);
      await eventually(async () => (await stateOf(`${c.medium}-maint`)) === 'system_error', `${c.medium} system_error`, 60_000);
      emu.clearFaults();
      const maint = (await account(`${c.medium}-maint`))!;
      const q = { 'data.accountId': String(maint._id), name: 'auth-browser' };
      const jobs = h.app.deps.store.db.collection('agendaJobs');
      await eventually(
        async () => {
          const j = await jobs.findOne(q);
          return j && !j.lockedAt && j.nextRunAt > new Date();
        },
        'backed-off check',
        60_000,
      );
      await jobs.updateOne(q, { $set: { nextRunAt: new Date() } });
      await eventually(async () => (await stateOf(`${c.medium}-maint`)) === 'linked', `${c.medium} recovered`, 60_000);

      // pause, resume and unlink work the same on a console account (its import job is import-browser)
      const ok = (await account(`${c.medium}-ok`))!;
      const importJob = () => jobs.findOne({ 'data.accountId': String(ok._id), name: 'import-browser' });
      await eventually(async () => (await importJob()) !== null, 'import schedule');
      await clickInAccounts(ADMIN, 'acct:pause', String(ok._id));
      await eventually(async () => (await importJob())?.disabled === true, 'paused');
      await clickInAccounts(ADMIN, 'acct:resume', String(ok._id));
      await eventually(async () => (await importJob())?.disabled === false, 'resumed');
      await clickInAccounts(ADMIN, 'acct:unlink', String(ok._id));
      await eventually(async () => !(await account(`${c.medium}-ok`)) && !(await importJob()), 'unlinked');
    }, 180_000);
  }
});

describe('pause, resume, unlink, and who may', () => {
  it('pauses and resumes an account (schedule disabled, then enabled)', async () => {
    const acc = (await account('Tokyo'))!;
    const id = String(acc._id);
    await clickInAccounts(ADMIN, 'acct:pause', id);
    await eventually(async () => (await account('Tokyo'))?.paused === true, 'paused');
    const job = () => h.app.deps.store.db.collection('agendaJobs').findOne({ name: 'import-api', 'data.accountId': id });
    await eventually(async () => (await job())?.disabled === true, 'import job disabled');
    await clickInAccounts(ADMIN, 'acct:resume', id);
    await eventually(async () => (await account('Tokyo'))?.paused === false, 'resumed');
    await eventually(async () => !(await job())?.disabled, 'import job enabled');
  });

  it('refuses a member who crafts the buttons, and changes nothing', async () => {
    const acc = (await account('Tokyo'))!;
    const id = String(acc._id);
    for (const actionId of ['acct:pause', 'acct:unlink', 'acct:reenter']) {
      await craftedClick(T, MEMBER, actionId, id);
    }
    await h.slack.slash({ teamId: T, userId: MEMBER, text: 'link wantedly' });
    await eventually(
      async () => (await h.app.deps.store.auditLog.countDocuments({ teamId: T, actorId: MEMBER, allowed: false })) >= 4,
      'audited refusals',
    );
    const refusals = h.slack.messages({ teamId: T }).filter((m) => JSON.stringify(m).includes('権限がありません'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    const after = (await account('Tokyo'))!;
    expect(after.paused).toBe(false);
    expect(after.state).toBe('linked');
    expect(h.slack.calls('views.open').filter((c) => c.args.trigger_id && JSON.stringify(c.response).includes('acct:save'))).toHaveLength(
      0,
    );
  });

  it('unlink deletes the credentials and keeps the candidates', async () => {
    const acc = (await account('Tokyo'))!;
    const before = await h.app.deps.store.candidates.countDocuments({ teamId: T, medium: 'wantedly' });
    await clickInAccounts(ADMIN, 'acct:unlink', String(acc._id));
    await eventually(async () => !(await account('Tokyo')), 'unlinked');
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, medium: 'wantedly' })).toBe(before);
    expect(await h.app.deps.store.db.collection('agendaJobs').countDocuments({ 'data.accountId': String(acc._id) })).toBe(0);
  });

  it('two accounts on one medium both link; a replayed submission does not make a third', async () => {
    h.media!.wantedly.addAccount({ apiKey: 'wantedly-second-key-0001' });
    h.media!.wantedly.addAccount({ apiKey: 'wantedly-third-key-00001' });
    await link('wantedly', { api_key: 'wantedly-second-key-0001' }, 'Osaka');
    const viewId = await openLinkModal(ADMIN, 'wantedly');
    await h.slack.submitView({
      userId: ADMIN,
      viewId,
      values: { api_key: { value: 'wantedly-third-key-00001' }, label: { value: 'Fukuoka' } },
    });
    const replay = h.slack.lastSentRequest()!;
    await h.slack.raw(replay, { timestamp: Math.floor(Date.now() / 1000) });
    await eventually(async () => (await stateOf('Osaka')) === 'linked' && (await stateOf('Fukuoka')) === 'linked', 'both linked');
    expect(await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T, label: 'Fukuoka' })).toBe(1);
  });

  it("re-entering another account's login is refused under the field, and the account keeps importing", async () => {
    const fukuoka = (await account('Fukuoka'))!;
    const job = () => h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(fukuoka._id), name: 'import-api' });
    await eventually(async () => (await job())?.disabled !== true, 'import scheduled');
    await clickInAccounts(ADMIN, 'acct:reenter', String(fukuoka._id)); // (resets the recorded calls)
    const open = await eventually(() => h.slack.calls('views.open').find((c) => (c.response as { ok?: boolean }).ok), 're-enter modal');
    const res = await h.slack.submitView({
      userId: ADMIN,
      viewId: (open.response as { view: { id: string } }).view.id,
      values: { api_key: { value: 'wantedly-second-key-0001' } },
    });
    expect(res.responseAction).toBe('errors');
    expect(JSON.stringify(res.body)).toContain('api_key');
    expect(JSON.stringify(res.body)).toContain('「Osaka」として連携されています');
    expect((await job())?.disabled).not.toBe(true);
    expect((await account('Fukuoka'))!.state).toBe('linked');
  });

  it('accounts of workspace A are not visible from workspace B', async () => {
    await h.install('T0LINK02', { installer: 'U0OTHERADMIN' });
    const acc = (await account('Osaka'))!;
    await craftedClick('T0LINK02', 'U0OTHERADMIN', 'acct:pause', String(acc._id));
    const res = await h.slack.slash({ teamId: 'T0LINK02', userId: 'U0OTHERADMIN', text: 'accounts' });
    const reply = await eventually(() => res.responses()[0], 'accounts reply');
    expect(JSON.stringify(reply)).not.toContain('Osaka');
    const after = await h.app.deps.store.mediaAccounts.findOne({ _id: new ObjectId(acc._id) });
    expect(after!.paused).toBe(false);
  });
});
