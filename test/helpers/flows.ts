/** User flows shared by end-to-end tests: link an account through Slack, run its import now. */
import { expect } from 'vitest';
import type { Medium } from '../../src/vocabulary';
import type { MediaAccountDoc } from '../../src/storage/types';
import { eventually, type Harness } from './app';

export async function linkViaSlack(
  h: Harness,
  teamId: string,
  adminId: string,
  medium: Medium,
  values: Record<string, string>,
  label: string,
): Promise<MediaAccountDoc> {
  const since = h.slack.calls('views.open').length;
  await h.slack.slash({ teamId, userId: adminId, text: `link ${medium}` });
  const open = await eventually(
    () =>
      h.slack
        .calls('views.open')
        .slice(since)
        .find((c) => JSON.stringify(c.args).includes('acct:save')),
    'link modal',
  );
  const viewId = (open.response as { view: { id: string } }).view.id;
  const v: Record<string, { value: string }> = { label: { value: label } };
  for (const [k, val] of Object.entries(values)) v[k] = { value: val };
  const res = await h.slack.submitView({ userId: adminId, viewId, values: v });
  expect(res.responseAction).not.toBe('errors');
  return eventually(() => h.app.deps.store.mediaAccounts.findOne({ teamId, label }), `account ${label}`);
}

const agendaJobs = (h: Harness) => h.app.deps.store.db.collection('agendaJobs');

/** Waits for the account's import job to be idle, then makes it due now and waits for that run to end. */
export async function runImportNow(h: Harness, account: MediaAccountDoc, timeoutMs = 60_000): Promise<MediaAccountDoc> {
  const id = String(account._id);
  const q = { 'data.accountId': id, name: { $in: ['import-api', 'import-browser'] } };
  await eventually(
    async () => {
      const j = await agendaJobs(h).findOne(q);
      return j && !j.lockedAt;
    },
    'idle import job',
    timeoutMs,
  );
  const before = (await h.app.deps.store.mediaAccounts.findOne({ _id: account._id }))?.lastRun?.runId;
  await agendaJobs(h).updateOne(q, { $set: { nextRunAt: new Date(), disabled: false } });
  const done = await eventually(
    async () => {
      const a = await h.app.deps.store.mediaAccounts.findOne({ _id: account._id });
      return a?.lastRun && a.lastRun.runId !== before && a.lastRun.outcome !== 'running' ? a : null;
    },
    'import run',
    timeoutMs,
  );
  // the job saves its next run when it unlocks, just after the account is updated
  await eventually(
    async () => {
      const j = await agendaJobs(h).findOne(q);
      return !j?.lockedAt;
    },
    'import job unlocked',
    timeoutMs,
  );
  return done;
}

/** Waits for the first import after linking. */
export async function firstImport(h: Harness, account: MediaAccountDoc, timeoutMs = 60_000): Promise<MediaAccountDoc> {
  return eventually(
    async () => {
      const a = await h.app.deps.store.mediaAccounts.findOne({ _id: account._id });
      return a?.lastRun && a.lastRun.outcome !== 'running' ? a : null;
    },
    'first import',
    timeoutMs,
  );
}
