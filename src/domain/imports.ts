/**
 * One import run of one media account: fetch up to 100 applicants not yet imported, store each
 * candidate once per org + medium + external id (a unique index; upserts, never read-then-write),
 * store the postings seen, route the new candidates, and only then advance the account's cursor.
 * A crash anywhere leaves the cursor behind the stored candidates, so the next run fetches them
 * again and the unique index turns them into duplicates: nothing is lost and nothing is doubled.
 * One run per account at a time, even across app instances: a lease on the account document.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ObjectId, type AnyBulkWriteOperation } from 'mongodb';
import { AuthError, ServiceError, type NormalizedApplicant } from '../../connectors/types';
import type { Deps } from './deps';
import type { CandidateDoc, MediaAccountDoc, PostingDoc, RunSummary } from '../storage/types';
import { decryptCredentials } from './accounts';
import { connectorFor } from './connector-context';
import { getOrg } from './orgs';
import { nextRunAfter, onScheduleClock } from './import-schedule';
import { routeImported } from './routing';
import { notifyRunFailure, notifyRunFinished, notifyRecovered } from './import-notices';
import { searchKey } from '../text';
import { erasedApplicants } from './privacy';

export const RUN_LIMIT = 100;
/** How long a run's account lease and Agenda lock last without a heartbeat: the run limit plus a margin. */
export const importLeaseMs = (runTimeoutMs: number) => runTimeoutMs + Math.min(60_000, runTimeoutMs);
const INSTANCE = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export interface RunResult {
  outcome: RunSummary['outcome'] | 'skipped';
  summary?: RunSummary;
  nextRunAt: Date | null; // null: do not run again (auth failure, paused, unlinked)
}

export interface RunOptions {
  /** The account lease; by default the run time limit plus a margin (the run is aborted at its limit). */
  leaseMs?: number;
}

export async function runImport(deps: Deps, teamId: string, accountId: string, opts: RunOptions = {}): Promise<RunResult> {
  const leaseMs = opts.leaseMs ?? importLeaseMs(deps.config.IMPORT_RUN_TIMEOUT_MS);
  const runId = new ObjectId().toHexString();
  const now = deps.clock();
  // A workspace that uninstalled the app (OAuth distribution) is not polled: no logins to the media on
  // its behalf, nobody to tell. Its accounts stay as they were and import again after a reinstall.
  if (deps.config.slackMode === 'oauth' && !(await deps.store.installations.countDocuments({ teamId }, { limit: 1 }))) {
    const a = await deps.store.mediaAccounts.findOne({ _id: new ObjectId(accountId), teamId }, { projection: { medium: 1 } });
    if (!a) return { outcome: 'skipped', nextRunAt: null };
    const org = await getOrg(deps, teamId);
    return { outcome: 'skipped', nextRunAt: onScheduleClock(deps.config, now, (t) => nextRunAfter(a.medium, accountId, org.zone, t)) };
  }
  const account = await deps.store.mediaAccounts.findOneAndUpdate(
    {
      _id: new ObjectId(accountId),
      teamId,
      paused: false,
      state: { $in: ['linked', 'system_error'] },
      $or: [{ runLease: null }, { 'runLease.until': { $lt: now } }],
    },
    { $set: { runLease: { by: `${INSTANCE}:${runId}`, until: new Date(now.getTime() + leaseMs) } } },
    { returnDocument: 'after' },
  );
  if (!account) {
    const exists = await deps.store.mediaAccounts.findOne(
      { _id: new ObjectId(accountId), teamId },
      { projection: { paused: 1, state: 1, medium: 1 } },
    );
    if (!exists || exists.paused || exists.state === 'auth_failed' || exists.state === 'authenticating')
      return { outcome: 'skipped', nextRunAt: null };
    // another run holds the lease: try again at the next regular time
    const org = await getOrg(deps, teamId);
    return { outcome: 'skipped', nextRunAt: onScheduleClock(deps.config, now, (t) => nextRunAfter(exists.medium, accountId, org.zone, t)) };
  }
  const leaseBy = `${INSTANCE}:${runId}`;
  const org = await getOrg(deps, teamId);
  // started once it holds the lease: `now` was read before the lease was asked for, and a run of
  // another instance may have released it in between (its finishedAt is after our `now`)
  const summary: RunSummary = {
    runId,
    startedAt: deps.clock(),
    fetched: 0,
    created: 0,
    duplicates: 0,
    skippedMeetups: 0,
    outcome: 'running',
  };
  // _id from the run id, so that finishing the run is a look-up by _id (runId has no index)
  await deps.store.importRuns.insertOne({ _id: new ObjectId(runId), ...summary, teamId, accountId: account._id, medium: account.medium });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.config.IMPORT_RUN_TIMEOUT_MS);
  try {
    const { connector, ctx } = connectorFor(deps, account.medium, controller.signal);
    const fetched = await Promise.race([
      connector.fetchApplicants(decryptCredentials(deps, account), { cursor: account.cursor, limit: RUN_LIMIT }, ctx),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(new ServiceError('timeout', 'import run time limit reached')), {
          once: true,
        }),
      ),
    ]);
    const applicants = fetched.applicants.slice(0, RUN_LIMIT);
    summary.fetched = applicants.length;
    const stored = await storeApplicants(deps, account, applicants, runId);
    summary.created = stored.created;
    summary.duplicates = stored.duplicates;
    summary.skippedMeetups = stored.meetups;
    summary.skippedErased = stored.erased;
    await routeImported(deps, teamId, account.medium, stored.postingIds);
    // told of in this run's notice: those nobody was told of yet (a run killed after storing them, or
    // while telling, did not tell; they are duplicates now, or behind the cursor, but still news)
    summary.outcome = 'success';
    summary.finishedAt = deps.clock();
    // The cursor moves only now that everything it covers is stored.
    const wasError = account.state === 'system_error';
    const firstImport = !account.firstImportDone;
    const res = await deps.store.mediaAccounts.updateOne(
      { _id: account._id, teamId, 'runLease.by': leaseBy, credentials: account.credentials },
      {
        $set: {
          cursor: fetched.nextCursor ?? account.cursor,
          lastRun: summary,
          state: 'linked',
          failures: 0,
          firstImportDone: true,
          updatedAt: deps.clock(),
        },
        $unset: { runLease: '', lastError: '' },
      },
    );
    await finishRun(deps, runId, summary);
    if (!res.matchedCount) return { outcome: 'success', summary, nextRunAt: null }; // unlinked or re-entered meanwhile
    if (wasError) await notifyRecovered(deps, account);
    await tellUntold(deps, account, runId, leaseMs, { ...summary }, { firstImport, hasMore: fetched.hasMore });
    return {
      outcome: 'success',
      summary,
      nextRunAt: onScheduleClock(deps.config, deps.clock(), (t) => nextRunAfter(account.medium, accountId, org.zone, t)),
    };
  } catch (err) {
    return await failRun(deps, account, leaseBy, summary, err, org.zone);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells of this account's candidates that no import notice told of yet (this batch's new ones, and
 * those of a run killed after storing them or while telling), each exactly once, with kills and
 * several instances:
 * 1. claim: one updateMany by filter sets `announcing: {runId, by, until}` on the untold candidates
 *    with no live claim; a claim whose run died (lease expired) is taken over but keeps its
 *    `runId`, the key of the notice it stands for. The run then reads back what it holds (`by`).
 * 2. tell: one notice per claim key, carrying that key in its metadata; a taken-over claim's
 *    notice is first looked up in each DM's history (the dead run may have sent it), and every
 *    resend after a lost answer is too, so a notice reaches each person once.
 * 3. mark announced; a notice that reached nobody (of a non-empty audience) leaves its claim to
 *    expire, and the next run tells again under the same key.
 */
async function tellUntold(
  deps: Deps,
  account: MediaAccountDoc,
  runId: string,
  leaseMs: number,
  summary: RunSummary,
  opts: { firstImport: boolean; hasMore: boolean },
) {
  const now = deps.clock();
  // the claim lives as long as the run's lease on the account: the next run may take it over
  const leased = account.runLease?.until;
  const until = leased && leased > now ? leased : new Date(now.getTime() + leaseMs);
  // this account's only: runs of two accounts of one medium may run at once (two instances)
  const mine = { teamId: account.teamId, medium: account.medium, announced: false, accountIds: account._id };
  await deps.store.candidates.updateMany(
    { ...mine, 'announcing.until': { $lt: now } },
    { $set: { 'announcing.by': runId, 'announcing.until': until } },
  );
  await deps.store.candidates.updateMany(
    { ...mine, announcing: { $exists: false } },
    { $set: { announcing: { runId, by: runId, until } } },
  );
  const held = await deps.store.candidates
    .find({ ...mine, 'announcing.by': runId }, { projection: { announcing: 1 }, limit: 5000 })
    .toArray();
  const keys = new Set(held.map((c) => c.announcing!.runId));
  if (!keys.has(runId) && opts.firstImport) keys.add(runId); // the unmapped postings' request, even with nobody new
  for (const key of keys) {
    // a claim's size is fixed once made: the whole group, told of or not, so a resend says the same
    const created =
      key === runId
        ? held.filter((c) => c.announcing!.runId === key).length
        : await deps.store.candidates.countDocuments({ teamId: account.teamId, medium: account.medium, 'announcing.runId': key });
    const own = key === runId;
    const sent = await notifyRunFinished(
      deps,
      account,
      own ? { ...summary, created } : { ...summary, runId: key, created, fetched: created, duplicates: 0, skippedMeetups: 0 },
      { firstImport: own && opts.firstImport, hasMore: opts.hasMore, takeover: !own },
    );
    if (sent === 'nobody') continue; // the claim expires; the next run tells again under this key
    await deps.store.candidates.updateMany({ ...mine, 'announcing.runId': key, 'announcing.by': runId }, { $set: { announced: true } });
  }
}

async function finishRun(deps: Deps, runId: string, summary: RunSummary) {
  await deps.store.importRuns.updateOne({ _id: new ObjectId(runId) }, { $set: { ...summary } });
}

async function failRun(
  deps: Deps,
  account: MediaAccountDoc,
  leaseBy: string,
  summary: RunSummary,
  err: unknown,
  zone: string,
): Promise<RunResult> {
  const now = deps.clock();
  summary.finishedAt = now;
  const filter = { _id: account._id, teamId: account.teamId, 'runLease.by': leaseBy, credentials: account.credentials };
  if (err instanceof AuthError) {
    summary.outcome = 'auth_failed';
    summary.error = `auth:${err.reason}`;
    await finishRun(deps, summary.runId, summary);
    const res = await deps.store.mediaAccounts.updateOne(filter, {
      $set: { state: 'auth_failed', lastRun: summary, lastError: { reason: summary.error, at: now, notified: true }, updatedAt: now },
      $unset: { runLease: '' },
    });
    if (res.matchedCount) await notifyRunFailure(deps, account, summary.runId, summary.error, null);
    return { outcome: 'auth_failed', summary, nextRunAt: null };
  }
  const reason = err instanceof ServiceError ? `service:${err.reason}` : 'service:internal';
  if (!(err instanceof ServiceError)) deps.logger.error({ err, accountId: String(account._id) }, 'import run failed unexpectedly');
  else deps.logger.warn({ reason, accountId: String(account._id), medium: account.medium }, 'import run failed');
  summary.outcome = 'system_error';
  summary.error = reason;
  await finishRun(deps, summary.runId, summary);
  const failures = (account.failures ?? 0) + 1;
  const nextRunAt = onScheduleClock(deps.config, now, (t) =>
    nextRunAfter(account.medium, String(account._id), zone, t, {
      consecutiveFailures: failures,
      retryAfterMs: err instanceof ServiceError ? err.retryAfterMs : undefined,
    }),
  );
  const alreadyTold = account.state === 'system_error' && account.lastError?.notified;
  const res = await deps.store.mediaAccounts.updateOne(filter, {
    $set: { state: 'system_error', lastRun: summary, failures, lastError: { reason, at: now, notified: true }, updatedAt: now },
    $unset: { runLease: '' },
  });
  if (res.matchedCount && !alreadyTold) await notifyRunFailure(deps, account, summary.runId, reason, nextRunAt);
  return { outcome: 'system_error', summary, nextRunAt: res.matchedCount ? nextRunAt : null };
}

/** Upserts the candidates and postings of a batch; counts new, duplicates and skipped meetups. */
export async function storeApplicants(
  deps: Deps,
  account: MediaAccountDoc,
  applicants: NormalizedApplicant[],
  runId: string,
): Promise<{ created: number; duplicates: number; meetups: number; erased: number; postingIds: string[] }> {
  const now = deps.clock();
  const { teamId, medium } = account;
  const applied = applicants.filter((a) => !a.isMeetup);
  const meetups = applicants.length - applied.length;
  // erased on request and not applied again since: skipped (src/domain/privacy.ts)
  const skip = await erasedApplicants(deps, teamId, medium, applied);
  const real = applied.filter((a) => !skip.has(a.externalId));
  const erased = applied.length - real.length;
  if (real.length === 0) return { created: 0, duplicates: 0, meetups, erased, postingIds: [] };

  const postings = new Map<string, string>();
  for (const a of real) postings.set(a.postingId, a.postingTitle);
  const postingOps: AnyBulkWriteOperation<PostingDoc>[] = [...postings].map(([externalId, title]) => ({
    updateOne: {
      filter: { teamId, medium, externalId },
      update: {
        $setOnInsert: { teamId, medium, externalId, accountId: account._id, accountLabel: account.label, jobId: null, firstSeenAt: now },
        $set: { title, lastSeenAt: now },
      },
      upsert: true,
    },
  }));
  await bulkUpsert(deps, 'postings', postingOps);

  const ops: AnyBulkWriteOperation<CandidateDoc>[] = real.map((a) => ({
    updateOne: {
      filter: { teamId, medium, externalId: a.externalId },
      update: {
        $setOnInsert: {
          // the search key is written with the name, always (both only on insert: a later import
          // does not rename a stored candidate)
          teamId,
          medium,
          externalId: a.externalId,
          name: a.name,
          searchKey: searchKey(a.name),
          ...(a.age !== undefined && medium !== 'findy' ? { age: a.age } : {}),
          postingExternalId: a.postingId,
          postingTitle: a.postingTitle,
          appliedAt: new Date(a.appliedAt),
          links: [{ label: medium, url: a.profileUrl }],
          jobId: null,
          stage: 'new',
          assignees: [],
          importedAt: now,
          importHistory: [{ at: now, accountId: account._id, accountLabel: account.label, runId }],
          announced: false,
        },
        $addToSet: { accountIds: account._id },
      },
      upsert: true,
    },
  }));
  const created = await bulkUpsert(deps, 'candidates', ops);
  return { created, duplicates: real.length - created, meetups, erased, postingIds: [...postings.keys()] };
}

/** Unordered bulk upserts; a duplicate-key race with another writer counts as "already there". */
async function bulkUpsert<T extends PostingDoc | CandidateDoc>(
  deps: Deps,
  name: 'postings' | 'candidates',
  ops: AnyBulkWriteOperation<T>[],
): Promise<number> {
  const coll = deps.store[name] as unknown as import('mongodb').Collection<T>;
  try {
    const res = await coll.bulkWrite(ops, { ordered: false });
    return res.upsertedCount;
  } catch (err) {
    const e = err as { code?: number; result?: { upsertedCount?: number }; writeErrors?: { code: number }[] };
    const writeErrors = e.writeErrors ?? [];
    if (writeErrors.length && writeErrors.every((w) => w.code === 11000)) return e.result?.upsertedCount ?? 0;
    throw err;
  }
}
