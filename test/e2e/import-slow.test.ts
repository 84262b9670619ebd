/** A medium that answers too slowly: the run stops at its time limit → system_error (timeout), retried later. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/app';
import { firstImport, linkViaSlack, runImportNow } from '../helpers/flows';

let h: Harness;
const T = 'T0SLOW';

beforeAll(async () => {
  h = await startHarness({ media: true, env: { CONNECTOR_TIMEOUT_MS: '800', IMPORT_RUN_TIMEOUT_MS: '1500' } });
  await h.install(T);
}, 60_000);
afterAll(() => h?.close());

it('a slow medium never hangs a run: timeout → system_error with backoff, then recovery', async () => {
  const key = 'wantedly-slow-key-000001';
  h.media!.wantedly.addAccount({ apiKey: key });
  h.media!.wantedly.generateEntries(key, { count: 3, meetupRatio: 0, seed: 1 });
  const acc = await linkViaSlack(h, T, `U${T.slice(1)}ADMIN`, 'wantedly', { api_key: key }, 'slow');
  await firstImport(h, acc);
  h.media!.wantedly.injectFault({ kind: 'slow', delayMs: 12_000, path: '/v1/entries' });
  const t0 = Date.now();
  const r = await runImportNow(h, acc);
  expect(Date.now() - t0).toBeLessThan(10_000); // bounded by the limits, not by the medium
  expect(r.state).toBe('system_error');
  expect(r.lastError?.reason).toBe('service:timeout');
  const job = await h.app.deps.store.db.collection('agendaJobs').findOne({ 'data.accountId': String(acc._id), name: 'import-api' });
  expect(job!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
  h.media!.wantedly.clearFaults();
  expect((await runImportNow(h, acc)).state).toBe('linked');
});
