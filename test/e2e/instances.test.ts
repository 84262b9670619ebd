/**
 * Two app instances on one database never import one account twice at once: the account lease
 * admits one run; Agenda's lock admits one job runner. Runs never overlap and nothing is doubled.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { firstImport, linkViaSlack } from '../helpers/flows';
import { startApp, type AppHandle } from '../../src/server';
import { createLogger } from '../../src/log';
import { runImport } from '../../src/domain/imports';

let h: Harness;
let b: AppHandle;
const T = 'T0TWOINST';

let jobsBeforeB = 0;
beforeAll(async () => {
  h = await startHarness({ media: true });
  await h.install(T);
  for (const key of ['wantedly-restart-key-0001', 'wantedly-restart-key-0002']) {
    h.media!.wantedly.addAccount({ apiKey: key });
    // the label is shown in DMs and stored in clear: never the key itself (the privacy scan's first find)
    await linkViaSlack(h, T, `U${T.slice(1)}ADMIN`, 'wantedly', { api_key: key }, `restart ${key.slice(-4)}`);
  }
  await eventually(async () => (await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T, state: 'linked' })) === 2, 'linked');
  jobsBeforeB = await h.app.deps.store.db.collection('agendaJobs').countDocuments({});
  // a second instance starting on the same database (as after a restart) reconciles the schedules
  b = await startApp({ config: h.config, mongoUri: h.mongo.uri, logger: createLogger('silent'), port: 0, agendaProcessEveryMs: 100 });
}, 60_000);
afterAll(async () => {
  await b?.stop();
  await h?.close();
});

it('a starting instance adds no schedule and loses none', async () => {
  expect(jobsBeforeB).toBeGreaterThanOrEqual(2);
  expect(await h.app.deps.store.db.collection('agendaJobs').countDocuments({})).toBe(jobsBeforeB);
  for (const a of await h.app.deps.store.mediaAccounts.find({ teamId: T }).toArray()) {
    expect(await h.app.deps.store.db.collection('agendaJobs').countDocuments({ 'data.accountId': String(a._id), name: 'import-api' })).toBe(
      1,
    );
  }
});

it('runs one import of an account at a time across two instances', async () => {
  const key = 'wantedly-two-instances-01';
  h.media!.wantedly.addAccount({ apiKey: key });
  h.media!.wantedly.setRateLimit(0);
  h.media!.wantedly.generateEntries(key, { count: 450, meetupRatio: 0, seed: 31 });
  const acc = await linkViaSlack(h, T, `U${T.slice(1)}ADMIN`, 'wantedly', { api_key: key }, 'two');
  await firstImport(h, acc);
  h.media!.wantedly.injectFault({ kind: 'slow', delayMs: 300 });
  const id = String(acc._id);
  // both instances' Agenda workers see the job due, and both are also asked directly, many times
  await h.app.deps.store.db.collection('agendaJobs').updateOne({ 'data.accountId': id }, { $set: { nextRunAt: new Date() } });
  const results = await Promise.all([
    ...Array.from({ length: 6 }, () => runImport(h.app.deps, T, id)),
    ...Array.from({ length: 6 }, () => runImport(b.deps, T, id)),
  ]);
  expect(results.filter((r) => r.outcome === 'success').length).toBeLessThanOrEqual(1);
  expect(results.filter((r) => r.outcome === 'skipped').length).toBeGreaterThanOrEqual(11);
  h.media!.wantedly.clearFaults();
  // until everything is in: keep making the job due, through either instance's worker
  for (let i = 0; i < 10; i++) {
    const n = await h.app.deps.store.candidates.countDocuments({ teamId: T });
    if (n === 450) break;
    await h.app.deps.store.db
      .collection('agendaJobs')
      .updateOne({ 'data.accountId': id, lockedAt: null }, { $set: { nextRunAt: new Date() } });
    await Promise.all([runImport(h.app.deps, T, id), runImport(b.deps, T, id)]);
  }
  expect(await h.app.deps.store.candidates.countDocuments({ teamId: T })).toBe(450);
  const runs = await h.app.deps.store.importRuns.find({ teamId: T, accountId: acc._id }).sort({ startedAt: 1 }).toArray();
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i].startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1].finishedAt!.getTime());
  }
  expect(runs.reduce((s, r) => s + r.created, 0)).toBe(450);
}, 120_000);
