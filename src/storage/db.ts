/**
 * The app's store: a MongoClient on MONGODB_URI, or on the embedded server when it is unset.
 * Collections are typed; indexes are declared here and created at start-up (idempotent).
 * Uniqueness that matters is a unique index, never a read-then-write.
 */
import { MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type IndexDescription, type ObjectId } from 'mongodb';
import { createLogger, type Logger } from '../log';
import { normalizeName, searchKey } from '../domain/text';
import type {
  AuditDoc, CandidateDoc, ImportRunDoc, InstallationDoc, JobDoc, MappingRuleDoc, MediaAccountDoc,
  MemberDoc, OrgDoc, PostingDoc,
} from './types';

export interface DeliveryDoc {
  _id: string;     // `${teamId}:${kind}:${id}` of a Slack delivery (event_id, trigger_id)
  at: Date;
}

export interface Store {
  client: MongoClient;
  db: Db;
  installations: Collection<InstallationDoc>;
  orgs: Collection<OrgDoc>;
  members: Collection<MemberDoc>;
  auditLog: Collection<AuditDoc>;
  deliveries: Collection<DeliveryDoc>;
  mediaAccounts: Collection<MediaAccountDoc>;
  importRuns: Collection<ImportRunDoc>;
  postings: Collection<PostingDoc>;
  mappingRules: Collection<MappingRuleDoc>;
  jobs: Collection<JobDoc>;
  candidates: Collection<CandidateDoc>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const INDEXES: Record<string, IndexDescription[]> = {
  installations: [{ key: { teamId: 1 } }],
  members: [{ key: { teamId: 1, userId: 1 }, unique: true }, { key: { teamId: 1, orgRole: 1 } }],
  auditLog: [{ key: { teamId: 1, at: -1 } }],
  deliveries: [{ key: { at: 1 }, expireAfterSeconds: 24 * 3600 }],
  mediaAccounts: [
    { key: { teamId: 1, medium: 1 } },
    { key: { teamId: 1, requestId: 1 }, unique: true, partialFilterExpression: { requestId: { $type: 'string' } } },
    { key: { teamId: 1, medium: 1, credentialFingerprint: 1 }, unique: true },
  ],
  importRuns: [{ key: { teamId: 1, accountId: 1, startedAt: -1 } }],
  postings: [{ key: { teamId: 1, medium: 1, externalId: 1 }, unique: true }, { key: { teamId: 1, jobId: 1 } }],
  mappingRules: [{ key: { teamId: 1, medium: 1 } }],
  // job names are unique up to case, width and spacing (nameKey = normalizeName(name)); partial, so
  // jobs from before the key (filled in below) or a look-alike twin left without one do not collide
  jobs: [
    { key: { teamId: 1, nameKey: 1 }, name: 'teamId_1_nameKey_1', unique: true, partialFilterExpression: { nameKey: { $type: 'string' } } },
    { key: { teamId: 1, channelId: 1 } },
  ],
  candidates: [
    { key: { teamId: 1, medium: 1, externalId: 1 }, unique: true },
    { key: { teamId: 1, medium: 1, postingExternalId: 1 } },
    { key: { teamId: 1, jobId: 1, appliedAt: 1 } },
    // the card poster: pending / posting / dirty cards of one job, in applied-at order. Kept to this
    // one index on purpose: every index is rewritten for each routed candidate (bench/routing.bench.ts).
    // (No index on searchKey: `/ats candidate` matches a substring, which no index answers.)
    { key: { teamId: 1, 'card.jobId': 1, 'card.state': 1, appliedAt: 1 } },
  ],
  cardDigests: [{ key: { teamId: 1, jobId: 1, state: 1 } }],
  // one card poster per team+job, even when two routings wake it at the same moment
  agendaJobs: [{ key: { name: 1, 'data.uniqueKey': 1 }, name: 'card_post_unique', unique: true, partialFilterExpression: { name: 'card-post' } }],
};

/** Indexes replaced by another one: dropped at start-up (before createIndexes, whose options they would contradict). */
const REPLACED: { collection: string; key: Record<string, number>; unique: boolean }[] = [
  // job names were unique as typed; now up to case and width (nameKey)
  { collection: 'jobs', key: { teamId: 1, name: 1 }, unique: true },
];

async function dropReplacedIndexes(db: Db): Promise<void> {
  for (const r of REPLACED) {
    let existing: { name?: string; key: Record<string, unknown>; unique?: boolean }[];
    try {
      existing = await db.collection(r.collection).listIndexes().toArray() as typeof existing;
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

export interface OpenStoreOptions {
  /** Start-up notes (backfills, look-alike jobs); a pino logger of its own when not given. */
  logger?: Logger;
  /** Documents per bulk write of the candidates' searchKey backfill. */
  backfillBatch?: number;
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
    const batch = await jobs.find(filter, { projection: { _id: 1, teamId: 1, name: 1 } }).sort({ _id: 1 }).limit(500).toArray();
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
          { teamId: j.teamId, jobId: String(j._id), name: j.name, sameAsJobId: twin ? String(twin._id) : undefined, sameAsName: twin?.name },
          'jobs: two jobs have look-alike names (same up to case, width and spacing); both are kept, this one has no name key until it is renamed',
        );
      }
    }
  }
  if (keyed) logger.info({ keyed }, 'jobs: name keys filled in');
  return { keyed, lookAlikes };
}

/**
 * Candidates from before searchKey: searchKey(name), in batches of bulk writes, in the background.
 * Idempotent (only candidates still without a key, and whose name is still the one read); `stop()`
 * ends it between batches.
 */
export async function backfillCandidateSearchKeys(
  db: Db, logger: Pick<Logger, 'info'>, opts: { batch?: number; stopped?: () => boolean } = {},
): Promise<number> {
  const candidates = db.collection<CandidateDoc>('candidates');
  const size = opts.batch ?? 1000;
  let keyed = 0;
  let last: ObjectId | null = null;
  while (!opts.stopped?.()) {
    const filter: Record<string, unknown> = { searchKey: { $exists: false } };
    if (last) filter._id = { $gt: last };
    const batch = await candidates.find(filter, { projection: { _id: 1, name: 1 } }).sort({ _id: 1 }).limit(size).toArray();
    if (!batch.length) break;
    last = batch[batch.length - 1]._id!;
    const ops: AnyBulkWriteOperation<CandidateDoc>[] = batch
      .filter((c) => typeof c.name === 'string')
      .map((c) => ({ updateOne: { filter: { _id: c._id, name: c.name, searchKey: { $exists: false } }, update: { $set: { searchKey: searchKey(c.name) } } } }));
    if (ops.length) keyed += (await candidates.bulkWrite(ops, { ordered: false })).modifiedCount;
    if (batch.length < size) break;
  }
  if (keyed) logger.info({ keyed }, 'candidates: search keys filled in');
  return keyed;
}

export async function openStore(uri: string, dbName: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const logger = opts.logger ?? createLogger('info').child({ component: 'storage' });
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 20 });
  await client.connect();
  const db = client.db(dbName);
  await dropReplacedIndexes(db);
  await Promise.all(
    Object.entries(INDEXES).map(([name, specs]) => db.collection(name).createIndexes(specs)),
  );
  // after the indexes: the unique nameKey index is what tells look-alike old jobs apart. Jobs are
  // few (awaited); a failure is logged, never a failed start (it runs again at the next one).
  await backfillJobNameKeys(db, logger).catch((err) => logger.error({ err }, 'jobs: name key backfill failed; it runs again at the next start'));
  let closing = false;
  const candidateBackfill = backfillCandidateSearchKeys(db, logger, { batch: opts.backfillBatch, stopped: () => closing })
    .catch((err) => { if (!closing) logger.error({ err }, 'candidates: search key backfill failed; it runs again at the next start'); });
  return {
    client,
    db,
    installations: db.collection('installations'),
    orgs: db.collection('orgs'),
    members: db.collection('members'),
    auditLog: db.collection('auditLog'),
    deliveries: db.collection('deliveries'),
    mediaAccounts: db.collection('mediaAccounts'),
    importRuns: db.collection('importRuns'),
    postings: db.collection('postings'),
    mappingRules: db.collection('mappingRules'),
    jobs: db.collection('jobs'),
    candidates: db.collection('candidates'),
    async ping() {
      try {
        await db.command({ ping: 1 }, { timeoutMS: 2_000 });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closing = true;
      await candidateBackfill;
      await client.close();
    },
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
