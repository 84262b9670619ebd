/**
 * Start-up data migrations, each idempotent and safe with several instances starting at once:
 * indexes replaced by another one are dropped, and fields added after data existed are filled in
 * (jobs' nameKey, candidates' searchKey). Called by openStore (db.ts).
 */
import type { AnyBulkWriteOperation, Db, ObjectId } from 'mongodb';
import type { Logger } from 'pino';
import { normalizeName, searchKey } from '../text';
import type { CandidateDoc, JobDoc } from './types';
import { isDuplicateKey } from './errors';

/** Indexes replaced by another one: dropped at start-up (before createIndexes, whose options they would contradict). */
const REPLACED: { collection: string; key: Record<string, number>; unique: boolean }[] = [
  // job names were unique as typed; now up to case and width (nameKey)
  { collection: 'jobs', key: { teamId: 1, name: 1 }, unique: true },
];

export async function dropReplacedIndexes(db: Db): Promise<void> {
  for (const r of REPLACED) {
    let existing: { name?: string; key: Record<string, unknown>; unique?: boolean }[];
    try {
      existing = (await db.collection(r.collection).listIndexes().toArray()) as typeof existing;
    } catch (err) {
      if ((err as { code?: number }).code === 26) continue; // no such collection yet
      throw err;
    }
    for (const ix of existing) {
      if (!ix.name || Boolean(ix.unique) !== r.unique || JSON.stringify(ix.key) !== JSON.stringify(r.key)) continue;
      try {
        await db.collection(r.collection).dropIndex(ix.name);
      } catch (err) {
        // another instance starting at the same time dropped it first
        if (![26, 27].includes((err as { code?: number }).code ?? 0)) throw err;
      }
    }
  }
}

/**
 * Jobs from before nameKey: each gets normalizeName(name), the oldest first. When two jobs of a team
 * normalise to the same key, the older one keeps it and the other stays without (both are kept and
 * listed; it is logged, every start-up, until someone renames one of them). Idempotent.
 */
export async function backfillJobNameKeys(db: Db, logger: Pick<Logger, 'warn' | 'info'>): Promise<{ keyed: number; lookAlikes: number }> {
  const jobs = db.collection<JobDoc>('jobs');
  let keyed = 0;
  let lookAlikes = 0;
  let last: ObjectId | null = null;
  for (;;) {
    const filter: Record<string, unknown> = { nameKey: { $exists: false } };
    if (last) filter._id = { $gt: last };
    const batch = await jobs
      .find(filter, { projection: { _id: 1, teamId: 1, name: 1 } })
      .sort({ _id: 1 })
      .limit(500)
      .toArray();
    if (!batch.length) break;
    last = batch[batch.length - 1]._id!;
    for (const j of batch) {
      if (typeof j.name !== 'string') continue;
      const nameKey = normalizeName(j.name);
      try {
        // `name` in the filter: a job renamed meanwhile got its key from the rename
        const res = await jobs.updateOne({ _id: j._id, name: j.name, nameKey: { $exists: false } }, { $set: { nameKey } });
        keyed += res.modifiedCount;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        lookAlikes++;
        const twin = await jobs.findOne({ teamId: j.teamId, nameKey }, { projection: { _id: 1, name: 1 } });
        logger.warn(
          {
            teamId: j.teamId,
            jobId: String(j._id),
            name: j.name,
            sameAsJobId: twin ? String(twin._id) : undefined,
            sameAsName: twin?.name,
          },
          'jobs: two jobs have look-alike names (same up to case, width and spacing); both are kept, this one has no name key until it is renamed',
        );
      }
    }
  }
  if (keyed) logger.info({ keyed }, 'jobs: name keys filled in');
  return { keyed, lookAlikes };
}

/** Marks of data migrations that finished (collection `migrations`): a start-up need not scan again. */
const MIGRATIONS = 'migrations';
const CANDIDATE_SEARCH_KEYS = 'candidates.searchKey';

/**
 * Candidates from before searchKey: searchKey(name), in batches of bulk writes, in the background.
 * Idempotent (only candidates still without a key, and whose name is still the one read); `stop()`
 * ends it between batches. Once a pass finds none left it is marked done, so later start-ups do not
 * scan every candidate again (a candidate written by an older instance during a rolling deploy is
 * still found by its raw name).
 */
export async function backfillCandidateSearchKeys(
  db: Db,
  logger: Pick<Logger, 'info'>,
  opts: { batch?: number; stopped?: () => boolean } = {},
): Promise<number> {
  const marks = db.collection<{ _id: string; doneAt: Date }>(MIGRATIONS);
  if (await marks.findOne({ _id: CANDIDATE_SEARCH_KEYS })) return 0;
  const candidates = db.collection<CandidateDoc>('candidates');
  const size = opts.batch ?? 1000;
  let finished = false;
  let keyed = 0;
  let last: ObjectId | null = null;
  while (!opts.stopped?.()) {
    const filter: Record<string, unknown> = { searchKey: { $exists: false } };
    if (last) filter._id = { $gt: last };
    const batch = await candidates
      .find(filter, { projection: { _id: 1, name: 1 } })
      .sort({ _id: 1 })
      .limit(size)
      .toArray();
    if (!batch.length) {
      finished = true;
      break;
    }
    last = batch[batch.length - 1]._id!;
    const ops: AnyBulkWriteOperation<CandidateDoc>[] = batch
      .filter((c) => typeof c.name === 'string')
      .map((c) => ({
        updateOne: {
          filter: { _id: c._id, name: c.name, searchKey: { $exists: false } },
          update: { $set: { searchKey: searchKey(c.name) } },
        },
      }));
    if (ops.length) keyed += (await candidates.bulkWrite(ops, { ordered: false })).modifiedCount;
    if (batch.length < size) {
      finished = true;
      break;
    }
  }
  if (finished) await marks.updateOne({ _id: CANDIDATE_SEARCH_KEYS }, { $set: { doneAt: new Date() } }, { upsert: true });
  if (keyed) logger.info({ keyed }, 'candidates: search keys filled in');
  return keyed;
}
