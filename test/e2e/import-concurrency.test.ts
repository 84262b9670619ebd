/** At most N browser imports and M API imports at once per instance (IMPORT_BROWSER_CONCURRENCY, IMPORT_API_CONCURRENCY). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { insertLinkedAccount } from '../helpers/accounts';
import { agendaAccountJobs } from '../../src/jobs/account-jobs';
import { browserStats } from '../../connectors/browser';
import type { Credentials } from '../../connectors/types';

let h: Harness;
const T = 'T0CONC';
const N = 2;
const M = 3;

beforeAll(async () => {
  h = await startHarness({ media: true, env: { IMPORT_BROWSER_CONCURRENCY: String(N), IMPORT_API_CONCURRENCY: String(M) } });
  await h.install(T);
}, 60_000);
afterAll(() => h?.close());

it(`runs at most ${N} browser imports and ${M} API imports at once`, async () => {
  const jobs = agendaAccountJobs(h.app.agenda, h.app.deps.store.db);
  const consoles = ['bizreach', 'green', 'findy', 'paiza', 'openwork'] as const;
  const field = { bizreach: 'email', green: 'companyId', findy: 'email', paiza: 'userId', openwork: 'userId' } as const;
  const ids: string[] = [];
  for (const m of consoles) {
    const login = `conc-${m}@x.example`;
    h.media![m].addAccount({ login, password: 'pw' });
    h.media![m].generateApplicants(login, { count: 3, seed: 1 });
    h.media![m].injectFault({ kind: 'slow', delayMs: 400, path: '/applicants' });
    ids.push(await insertLinkedAccount(h.app.deps, T, m, { medium: m, [field[m]]: login, password: 'pw' } as Credentials, `c-${m}`));
  }
  h.media!.wantedly.setRateLimit(0);
  h.media!.wantedly.injectFault({ kind: 'slow', delayMs: 600, path: '/v1/entries' });
  for (let i = 0; i < 8; i++) {
    const key = `wantedly-conc-key-${String(i).padStart(5, '0')}`;
    h.media!.wantedly.addAccount({ apiKey: key });
    h.media!.wantedly.generateEntries(key, { count: 2, meetupRatio: 0, seed: i });
    ids.push(await insertLinkedAccount(h.app.deps, T, 'wantedly', { medium: 'wantedly', apiKey: key }, `w-${i}`));
  }
  const accounts = await h.app.deps.store.mediaAccounts.find({ teamId: T }).toArray();
  let maxBrowserSessions = 0;
  let maxApiRuns = 0;
  let maxConsoleRuns = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxBrowserSessions = Math.max(maxBrowserSessions, browserStats().activeSessions);
      const running = await h.app.deps.store.mediaAccounts
        .find({ teamId: T, runLease: { $ne: null } }, { projection: { medium: 1, runLease: 1 } })
        .toArray();
      const live = running.filter((a) => a.runLease && a.runLease.until > new Date());
      maxApiRuns = Math.max(maxApiRuns, live.filter((a) => a.medium === 'wantedly').length);
      maxConsoleRuns = Math.max(maxConsoleRuns, live.filter((a) => a.medium !== 'wantedly').length);
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  for (const a of accounts) await jobs.scheduleImport({ id: String(a._id), teamId: T, medium: a.medium });
  await eventually(
    async () => (await h.app.deps.store.mediaAccounts.countDocuments({ teamId: T, 'lastRun.outcome': 'success' })) === ids.length,
    'all imported',
    90_000,
  );
  sampling = false;
  await sampler;
  console.log(JSON.stringify({ maxBrowserSessions, maxConsoleRuns, maxApiRuns }));
  expect(maxBrowserSessions).toBeLessThanOrEqual(N);
  expect(maxConsoleRuns).toBeLessThanOrEqual(N);
  expect(maxApiRuns).toBeLessThanOrEqual(M);
  expect(maxApiRuns + maxConsoleRuns).toBeGreaterThan(1); // they did run side by side
  for (const m of consoles) h.media![m].clearFaults();
  h.media!.wantedly.clearFaults();
}, 120_000);
