/**
 * Fixtures for the routing/cards tests: what an import leaves behind (a posting upserted, its
 * candidates stored with jobId null) followed by the routeImported call the import makes.
 */
import { ObjectId } from 'mongodb';
import type { Medium } from '../../src/vocabulary';
import type { CandidateDoc } from '../../src/storage/types';
import { routeImported } from '../../src/domain/routing';
import { searchKey } from '../../src/text';
import type { Harness } from './app';

export interface SeedPosting {
  externalId: string;
  title: string;
  accountLabel?: string;
}

let seq = 0;

export async function seedImport(
  h: Harness,
  teamId: string,
  medium: Medium,
  posting: SeedPosting,
  count: number,
  opts: { prefix?: string; appliedAt?: Date; stepMs?: number; shuffle?: boolean; route?: boolean; age?: number } = {},
): Promise<CandidateDoc[]> {
  const store = h.app.deps.store;
  const accountId = new ObjectId();
  const now = new Date();
  await store.postings.updateOne(
    { teamId, medium, externalId: posting.externalId },
    {
      $setOnInsert: {
        teamId,
        medium,
        externalId: posting.externalId,
        accountId,
        accountLabel: posting.accountLabel ?? 'Main',
        title: posting.title,
        jobId: null,
        firstSeenAt: now,
      },
      $set: { lastSeenAt: now },
    },
    { upsert: true },
  );
  const start = opts.appliedAt?.getTime() ?? Date.UTC(2026, 0, 10, 1, 0, 0);
  const docs: CandidateDoc[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++seq;
    const name = `${opts.prefix ?? 'Candidate'} ${String(i + 1).padStart(3, '0')}`;
    docs.push({
      _id: new ObjectId(),
      teamId,
      medium,
      externalId: `${posting.externalId}-c${n}`,
      name,
      searchKey: searchKey(name), // as the import writes it
      ...(opts.age !== undefined ? { age: opts.age } : {}),
      postingExternalId: posting.externalId,
      postingTitle: posting.title,
      appliedAt: new Date(start + i * (opts.stepMs ?? 60_000)),
      links: [
        { label: 'profile', url: `https://example.test/${medium}/${n}` },
        { label: 'mail', url: 'mailto:someone@example.com' },
      ],
      jobId: null,
      stage: 'new',
      assignees: [],
      accountIds: [accountId],
      importedAt: now,
      importHistory: [{ at: now, accountId, accountLabel: posting.accountLabel ?? 'Main', runId: 'run-1' }],
    });
  }
  const insert = opts.shuffle ? [...docs].sort(() => Math.random() - 0.5) : docs;
  if (insert.length) await store.candidates.insertMany(insert);
  if (opts.route !== false) await routeImported(h.app.deps, teamId, medium, [posting.externalId]);
  return docs;
}

/** Creates a job through `/ats job new` and the modal, as `userId`. */
export async function createJobViaSlack(
  h: Harness,
  teamId: string,
  userId: string,
  job: { name: string; channelId: string; admins?: string[]; members?: string[] },
) {
  const before = h.slack.calls('views.open').length;
  await h.slack.slash({ teamId, userId, text: 'job new' });
  const open = await h.slack.waitFor(() =>
    h.slack
      .calls('views.open')
      .slice(before)
      .find((c) => (c.response as { ok?: boolean }).ok),
  );
  const viewId = (open.response as { view: { id: string } }).view.id;
  const res = await h.slack.submitView({
    teamId,
    userId,
    viewId,
    values: {
      name: { value: job.name },
      channel: { value: job.channelId },
      ...(job.admins?.length ? { admins: { value: job.admins } } : {}),
      ...(job.members?.length ? { members: { value: job.members } } : {}),
    },
  });
  return res;
}
