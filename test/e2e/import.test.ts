/**
 * Scheduled imports through the emulators: batches of at most 100, nothing twice, nothing lost,
 * meetups skipped, Findy without age, links kept, failures → states, backoff and one notice.
 */
import type { ObjectId } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { firstImport, linkViaSlack, runImportNow } from '../helpers/flows';

let h: Harness;
const T = 'T0IMPORT';
const ADMIN = 'U0IMPORTADMIN';
const LIMITED = 'U0LIMITED';

beforeAll(async () => {
  h = await startHarness({ media: true });
  await h.install(T, { users: [{ id: LIMITED }] });
  await h.app.deps.store.members.insertOne({ teamId: T, userId: LIMITED, orgRole: 'limited', updatedAt: new Date() });
}, 60_000);
afterAll(() => h?.close());
afterEach(() => {
  for (const m of ['wantedly', 'bizreach', 'green', 'findy', 'paiza', 'openwork'] as const) h?.media?.[m].clearFaults();
});

const dms = (text: string) => h.slack.messages({ teamId: T }).filter((m) => m.channel.startsWith('D') && JSON.stringify(m).includes(text));

describe('wantedly: 250 waiting applicants', () => {
  it('imports them as 100, 100, 50, then nothing new; tells org admins once per run', async () => {
    const key = 'wantedly-import-key-0001';
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.setRateLimit(0);
    h.media!.wantedly.generateEntries(key, { count: 250, meetupRatio: 0, seed: 5, tieEvery: 7 });
    h.slack.reset();
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'W-250');
    const r1 = await firstImport(h, acc);
    expect(r1.lastRun).toMatchObject({ fetched: 100, created: 100, duplicates: 0, outcome: 'success' });
    const r2 = await runImportNow(h, acc);
    expect(r2.lastRun).toMatchObject({ fetched: 100, created: 100 });
    const r3 = await runImportNow(h, acc);
    expect(r3.lastRun).toMatchObject({ fetched: 50, created: 50 });
    const r4 = await runImportNow(h, acc);
    expect(r4.lastRun).toMatchObject({ fetched: 0, created: 0 });

    const ids = await h.app.deps.store.candidates.distinct('externalId', { teamId: T, medium: 'wantedly' });
    expect(ids).toHaveLength(250);
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, medium: 'wantedly' })).toBe(250);
    const runs = await h.app.deps.store.importRuns.find({ teamId: T, accountId: acc._id }).sort({ startedAt: 1 }).toArray();
    expect(runs.map((r) => r.created)).toEqual([100, 100, 50, 0]);
    expect(runs.every((r) => r.finishedAt && r.outcome === 'success')).toBe(true);

    // one "import finished" DM per run that brought candidates (the admin: 3), none to limited access
    await eventually(() => dms('候補者情報インポートが完了しました').length >= 3, 'import notices');
    expect(dms('候補者情報インポートが完了しました')).toHaveLength(3);
    expect(h.slack.messages({ teamId: T }).filter((m) => m.channel === h.slack.dmChannel(T, LIMITED))).toHaveLength(0);
    // first import with unmapped postings: the mapping request with its button
    const ask = dms('紐付けルールを設定してください');
    expect(ask.length).toBe(1);
    expect(JSON.stringify(ask[0].blocks)).toContain('map:open');
    // a profile link is kept on each candidate; Wantedly gives no age
    const c = await h.app.deps.store.candidates.findOne({ teamId: T, medium: 'wantedly' });
    expect(c!.links[0].url).toMatch(/^https?:\/\//);
    expect(c!.age).toBeUndefined();
  });

  it('skips and counts meetup entries', async () => {
    const key = 'wantedly-meetup-key-0001';
    h.media!.wantedly.addAccount({ apiKey: key });
    const entries = h.media!.wantedly.generateEntries(key, { count: 40, meetupRatio: 0.5, seed: 9 });
    const meetups = entries.filter((e) => e.kind === 'meetup').length;
    expect(meetups).toBeGreaterThan(0);
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'W-meetup');
    const r = await firstImport(h, acc);
    expect(r.lastRun).toMatchObject({ fetched: 40, skippedMeetups: meetups, created: 40 - meetups });
  });

  it('the same applicant seen by two accounts of one medium is one candidate', async () => {
    const seed = {
      id: 990001,
      project_id: 77,
      project_title: 'バックエンドエンジニア',
      kind: 'application' as const,
      created_at: '2026-11-01T01:00:00Z',
      user: { name: '重複 太郎' },
    };
    for (const key of ['wantedly-dup-key-a-00001', 'wantedly-dup-key-b-00001']) {
      h.media!.wantedly.addAccount({ apiKey: key });
      h.media!.wantedly.seedEntries(key, [seed]);
    }
    const a = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: 'wantedly-dup-key-a-00001' }, 'W-dup-a');
    await firstImport(h, a);
    const b = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: 'wantedly-dup-key-b-00001' }, 'W-dup-b');
    const rb = await firstImport(h, b);
    expect(rb.lastRun).toMatchObject({ fetched: 1, created: 0, duplicates: 1 });
    const docs = await h.app.deps.store.candidates.find({ teamId: T, medium: 'wantedly', externalId: '990001' }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0].accountIds.map(String).sort()).toEqual([String(a._id), String(b._id)].sort());
  });
});

describe('console media', () => {
  it('bizreach: 250 applicants as 100, 100, 50 through Chromium, nothing twice', async () => {
    const login = 'hr-import@bizreach.example';
    h.media!.bizreach.addAccount({ login, password: 'pw-import-1' });
    h.media!.bizreach.generateApplicants(login, { count: 250, seed: 21, tieEvery: 5 });
    const acc = await linkViaSlack(h, T, ADMIN, 'bizreach', { email: login, password: 'pw-import-1' }, 'B-250');
    const r1 = await firstImport(h, acc, 90_000);
    expect(r1.lastRun).toMatchObject({ fetched: 100, created: 100 });
    expect((await runImportNow(h, acc, 90_000)).lastRun).toMatchObject({ fetched: 100, created: 100 });
    expect((await runImportNow(h, acc, 90_000)).lastRun).toMatchObject({ fetched: 50, created: 50 });
    expect((await runImportNow(h, acc, 90_000)).lastRun).toMatchObject({ created: 0 });
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, medium: 'bizreach' })).toBe(250);
    const c = await h.app.deps.store.candidates.findOne({ teamId: T, medium: 'bizreach' });
    expect(typeof c!.age).toBe('number');
    expect(c!.links[0].url).toContain('/applicants/');
  }, 240_000);

  it('findy: candidates have no age', async () => {
    const login = 'hr-import@findy.example';
    h.media!.findy.addAccount({ login, password: 'pw-import-2' });
    h.media!.findy.generateApplicants(login, { count: 15, seed: 4 });
    const acc = await linkViaSlack(h, T, ADMIN, 'findy', { email: login, password: 'pw-import-2' }, 'F-15');
    expect((await firstImport(h, acc, 90_000)).lastRun).toMatchObject({ created: 15 });
    const docs = await h.app.deps.store.candidates.find({ teamId: T, medium: 'findy' }).toArray();
    expect(docs).toHaveLength(15);
    expect(docs.every((d) => d.age === undefined)).toBe(true);
  }, 120_000);
});

describe('failures', () => {
  it('a 5xx → system_error with backoff and one notice; a later run recovers with a note', async () => {
    const key = 'wantedly-fault-key-00001';
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.generateEntries(key, { count: 5, meetupRatio: 0, seed: 2 });
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'W-fault');
    await firstImport(h, acc);
    h.media!.wantedly.generateEntries(key, { count: 3, meetupRatio: 0, seed: 3, start: '2026-11-10T00:00:00Z' });
    h.media!.wantedly.injectFault({ kind: 'error', status: 502, path: '/v1/entries' });
    h.slack.reset();
    const f1 = await runImportNow(h, acc);
    expect(f1.state).toBe('system_error');
    expect(f1.lastRun?.outcome).toBe('system_error');
    const job = await h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(acc._id), name: 'import-api' });
    expect(job!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 60_000); // backed off
    const f2 = await runImportNow(h, acc);
    expect(f2.failures).toBe(2);
    await eventually(() => dms('エラーが発生しました').length >= 1, 'failure notice');
    expect(dms('エラーが発生しました')).toHaveLength(1); // told once, not every run
    h.media!.wantedly.clearFaults();
    const ok = await runImportNow(h, acc);
    expect(ok.state).toBe('linked');
    expect(ok.lastRun).toMatchObject({ created: 3 });
    await eventually(() => dms('復旧しました').length === 1, 'recovered notice');
  });

  it('a 429 waits for its Retry-After', async () => {
    const key = 'wantedly-429-key-000001';
    h.media!.wantedly.addAccount({ apiKey: key });
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'W-429');
    await firstImport(h, acc);
    h.media!.wantedly.injectFault({ kind: 'rate_limit', retryAfterSec: 3600, path: '/v1/entries' });
    const r = await runImportNow(h, acc);
    expect(r.lastError?.reason).toBe('service:rate_limited');
    const job = await h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(acc._id), name: 'import-api' });
    expect(job!.nextRunAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 3500_000);
    h.media!.wantedly.clearFaults();
  });

  it('refused credentials → auth_failed, the schedule stops, org admins told once', async () => {
    const key = 'wantedly-revoke-key-0001';
    h.media!.wantedly.addAccount({ apiKey: key });
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'W-revoke');
    await firstImport(h, acc);
    h.media!.wantedly.updateAccount(key, { revoked: true });
    h.slack.reset();
    const r = await runImportNow(h, acc);
    expect(r.state).toBe('auth_failed');
    const job = await h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(acc._id), name: 'import-api' });
    expect(job!.disabled === true || job!.nextRunAt === null).toBe(true);
    await eventually(() => dms('自動インポートを停止しました').length === 1, 'auth failure notice');
    // re-linking (credentials re-entered and accepted) restarts the schedule at once
    h.media!.wantedly.updateAccount(key, { revoked: false });
    const msg = await (async () => {
      const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'accounts' });
      await eventually(() => res.responses()[0], 'accounts');
      return h.slack
        .messages({ teamId: T, ephemeral: true })
        .reverse()
        .find((m) => JSON.stringify(m.blocks ?? []).includes(`account_${acc._id}`))!;
    })();
    const since = h.slack.calls('views.open').length;
    await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'acct:reenter',
      blockId: `account_${acc._id}`,
      message: { channel: msg.channel, ts: msg.ts },
    });
    const open = await eventually(() => h.slack.calls('views.open').slice(since)[0], 're-enter modal');
    expect(JSON.stringify(open.args)).not.toContain(key); // never pre-filled with the secret
    await h.slack.submitView({
      userId: ADMIN,
      viewId: (open.response as { view: { id: string } }).view.id,
      values: { api_key: { value: key } },
    });
    await eventually(async () => (await h.app.deps.store.mediaAccounts.findOne({ _id: acc._id }))?.state === 'linked', 're-linked');
    await eventually(async () => {
      const j = await h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(acc._id), name: 'import-api' });
      return j && !j.disabled && j.nextRunAt;
    }, 'schedule restarted');
  });

  it('a changed page layout on a console → system_error (layout_changed)', async () => {
    const login = 'hr-layout@green.example';
    h.media!.green.addAccount({ login, password: 'pw-layout-1' });
    h.media!.green.generateApplicants(login, { count: 3, seed: 8 });
    const acc = await linkViaSlack(h, T, ADMIN, 'green', { company_id: 'hr-layout@green.example', password: 'pw-layout-1' }, 'G-layout');
    await firstImport(h, acc, 90_000);
    h.media!.green.injectFault({ kind: 'layout_changed' });
    const r = await runImportNow(h, acc, 90_000);
    expect(r.state).toBe('system_error');
    expect(r.lastError?.reason).toBe('service:layout_changed');
    h.media!.green.clearFaults();
  }, 180_000);
});

describe('schedules survive a restart', () => {
  it('adds no job and loses none', async () => {
    const jobs = h.app.deps.store.db.collection('agendaJobs');
    const before = await jobs.find({}, { projection: { name: 1, data: 1 } }).toArray();
    const { reconcileSchedules } = await import('../../src/jobs/register');
    await reconcileSchedules(h.app.deps, h.app.agenda);
    await reconcileSchedules(h.app.deps, h.app.agenda);
    const after = await jobs.find({}, { projection: { name: 1, data: 1 } }).toArray();
    expect(after.length).toBe(before.length);
    const linked = await h.app.deps.store.mediaAccounts
      .find({ teamId: T, state: { $in: ['linked', 'system_error'] }, paused: false })
      .toArray();
    for (const a of linked) {
      expect(await jobs.countDocuments({ 'data.accountId': String(a._id), name: { $in: ['import-api', 'import-browser'] } })).toBe(1);
    }
  });
});

describe('a workspace that uninstalled the app', () => {
  it('is not polled (no request to the medium); after a reinstall its account imports again', async () => {
    const { insertLinkedAccount } = await import('../helpers/accounts');
    const { runImport } = await import('../../src/domain/imports');
    const T2 = 'T0IMPGONE';
    const key = 'wantedly-gone-key-000001';
    await h.install(T2);
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.setRateLimit(0);
    h.media!.wantedly.generateEntries(key, { count: 3, meetupRatio: 0, seed: 21 });
    const id = await insertLinkedAccount(h.app.deps, T2, 'wantedly', { medium: 'wantedly', apiKey: key }, 'Gone');
    await h.slack.sendEvent({ teamId: T2, event: { type: 'app_uninstalled' } });
    await eventually(async () => !(await h.app.deps.store.installations.findOne({ _id: T2 })), 'installation removed');
    const before = h.media!.wantedly.counters().requests;
    const skipped = await runImport(h.app.deps, T2, id);
    expect(skipped.outcome).toBe('skipped');
    expect(skipped.nextRunAt).not.toBeNull(); // it keeps its schedule for a reinstall
    expect(h.media!.wantedly.counters().requests).toBe(before);
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T2 })).toBe(0);
    await h.install(T2);
    const ran = await runImport(h.app.deps, T2, id);
    expect(ran.outcome).toBe('success');
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T2 })).toBe(3);
  });
});

describe('a run killed after storing its batch', () => {
  it('leaves its candidates untold; the next run, fetching them again, tells of them once', async () => {
    const key = 'wantedly-untold-key-0001';
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.setRateLimit(0);
    h.media!.wantedly.generateEntries(key, { count: 5, meetupRatio: 0, seed: 41 });
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'Untold');
    await firstImport(h, acc);
    h.media!.wantedly.generateEntries(key, { count: 4, meetupRatio: 0, seed: 42, start: new Date().toISOString(), stepMs: 1 });
    const cursorBefore = (await h.app.deps.store.mediaAccounts.findOne({ _id: acc._id }))!.cursor;
    // what a kill -9 between storing the batch and moving the cursor leaves: stored, untold, cursor behind
    await runImportNow(h, acc);
    const four = await h.app.deps.store.candidates.find({ teamId: T, accountIds: acc._id }).sort({ appliedAt: -1 }).limit(4).toArray();
    await h.app.deps.store.candidates.updateMany(
      { _id: { $in: four.map((c) => c._id) } },
      { $set: { announced: false }, $unset: { announcing: '' } },
    );
    await h.app.deps.store.mediaAccounts.updateOne({ _id: acc._id }, { $set: { cursor: cursorBefore } });
    h.slack.reset();
    const again = await runImportNow(h, acc);
    expect(again.lastRun).toMatchObject({ fetched: 4, created: 0, duplicates: 4 });
    const told = h.slack
      .messages({ teamId: T })
      .filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'hire_relay_import_finished');
    expect(told.length).toBeGreaterThan(0);
    for (const m of told) expect((m.metadata as { event_payload: { created: number } }).event_payload.created).toBe(4);
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, accountIds: acc._id, announced: false })).toBe(0);
  });
});

describe('a run killed while telling (its claim on the untold candidates expired)', () => {
  // this account's notices only (other tests' accounts of the team may still run on their schedule)
  const finished = async (accountId: ObjectId) => {
    const runs = await h.app.deps.store.importRuns.find({ accountId }, { projection: { _id: 1 } }).toArray();
    const ids = new Set(runs.map((r) => r._id.toHexString()));
    return h.slack
      .messages({ teamId: T })
      .filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'hire_relay_import_finished')
      .map((m) => ({ channel: m.channel, ...(m.metadata as { event_payload: { runId: string; created: number } }).event_payload }))
      .filter((n) => ids.has(n.runId));
  };

  it('is taken over by the next run, which tells under the dead run id once, whether or not it had sent', async () => {
    const key = 'wantedly-claim-key-0001';
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.setRateLimit(0);
    h.media!.wantedly.generateEntries(key, { count: 2, meetupRatio: 0, seed: 51 });
    const acc = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: key }, 'Claim');
    await firstImport(h, acc);
    h.media!.wantedly.generateEntries(key, { count: 3, meetupRatio: 0, seed: 52, start: new Date().toISOString(), stepMs: 1 });
    h.slack.reset();
    await runImportNow(h, acc);
    const first = await finished(acc._id);
    expect(first.length).toBeGreaterThan(0);
    const dead = first[0]!.runId;
    expect(first.every((n) => n.runId === dead && n.created === 3)).toBe(true);
    // what a kill -9 after the notice went out, before marking, leaves: claimed, untold, the claim expired
    const died = async () =>
      h.app.deps.store.candidates.updateMany(
        { teamId: T, 'announcing.runId': dead },
        { $set: { announced: false, 'announcing.until': new Date(Date.now() - 1000) } },
      );
    expect((await died()).modifiedCount).toBe(3);
    await runImportNow(h, acc);
    expect(await finished(acc._id)).toEqual(first); // found in each DM's history: not sent again
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, accountIds: acc._id, announced: false })).toBe(0);
    // killed before the notice went out: the next run sends it, under the dead run's id, once
    h.slack.reset();
    await died();
    await runImportNow(h, acc);
    const resent = await finished(acc._id);
    expect(resent.map((n) => n.channel).sort()).toEqual(first.map((n) => n.channel).sort());
    expect(resent.every((n) => n.runId === dead && n.created === 3)).toBe(true);
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, accountIds: acc._id, announced: false })).toBe(0);
  });
});
