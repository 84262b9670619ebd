/**
 * The app's store: a MongoClient on MONGODB_URI, or on the embedded server when it is unset.
 * Collections are typed; indexes are declared here and created at start-up (idempotent).
 * Uniqueness that matters is a unique index, never a read-then-write.
 */
import { MongoClient, type Collection, type Db, type IndexDescription } from 'mongodb';
import { pino, type Logger } from 'pino';
import { backfillCandidateSearchKeys, backfillJobNameKeys, dropReplacedIndexes } from './migrations';
import { createCardStore, createDigestStore, type CardStore, type DigestStore } from './card-store';
import type {
  AuditDoc,
  CandidateDoc,
  CardDigestDoc,
  ImportRunDoc,
  InstallationDoc,
  JobDoc,
  MappingRuleDoc,
  MediaAccountDoc,
  MemberDoc,
  OrgDoc,
  PostingDoc,
  SlackUserDoc,
} from './types';

export interface DeliveryDoc {
  _id: string; // `${teamId}:${kind}:${id}` of a Slack delivery (event_id, trigger_id)
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
  cardDigests: Collection<CardDigestDoc>;
  /** People's Slack facts (locale, admin, guest, bot), read ahead of requests (src/slack/user-directory.ts). */
  slackUsers: Collection<SlackUserDoc>;
  /** The card delivery's transitions on candidates' cards (and jobs' channel problems). */
  cards: CardStore;
  /** The digest messages' transitions. */
  digests: DigestStore;
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
  mappingRules: [
    { key: { teamId: 1, medium: 1 } },
    { key: { teamId: 1, requestId: 1 }, unique: true, partialFilterExpression: { requestId: { $type: 'string' } } },
  ],
  // job names are unique up to case, width and spacing (nameKey = normalizeName(name)); partial, so
  // jobs from before the key (filled in below) or a look-alike twin left without one do not collide
  jobs: [
    { key: { teamId: 1, nameKey: 1 }, name: 'teamId_1_nameKey_1', unique: true, partialFilterExpression: { nameKey: { $type: 'string' } } },
    { key: { teamId: 1, channelId: 1 } },
    { key: { teamId: 1, requestId: 1 }, unique: true, partialFilterExpression: { requestId: { $type: 'string' } } },
  ],
  candidates: [
    { key: { teamId: 1, medium: 1, externalId: 1 }, unique: true },
    { key: { teamId: 1, medium: 1, postingExternalId: 1 } },
    { key: { teamId: 1, jobId: 1, appliedAt: 1 } },
    // the card poster: pending / posting / dirty cards of one job, in applied-at order. Kept to this
    // one index on purpose: every index is rewritten for each routed candidate (bench/routing.bench.ts).
    // (No index on searchKey: `/ats candidate` matches a substring, which no index answers.)
    { key: { teamId: 1, 'card.jobId': 1, 'card.state': 1, appliedAt: 1 } },
    // erased candidates (tombstones) by fingerprint, checked by every import. Partial: only
    // tombstones are in it, so routing and card updates never rewrite it.
    {
      key: { teamId: 1, medium: 1, fingerprint: 1 },
      name: 'erased_fingerprint',
      partialFilterExpression: { fingerprint: { $type: 'string' } },
    },
    // import notices: the candidates nobody was told of yet (partial: it holds only those, briefly)
    { key: { teamId: 1, medium: 1, announced: 1 }, name: 'candidates_untold', partialFilterExpression: { announced: false } },
  ],
  cardDigests: [{ key: { teamId: 1, jobId: 1, state: 1 } }],
  slackUsers: [{ key: { teamId: 1, userId: 1 }, unique: true }],
};

export interface OpenStoreOptions {
  /** Start-up notes (backfills, look-alike jobs); a pino logger of its own when not given. */
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Documents per bulk write of the candidates' searchKey backfill. */
  backfillBatch?: number;
}

export async function openStore(uri: string, dbName: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const logger = opts.logger ?? pino({ level: 'info', base: { app: 'hire-relay', component: 'storage' } });
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 20 });
  await client.connect();
  const db = client.db(dbName);
  await dropReplacedIndexes(db);
  await Promise.all(Object.entries(INDEXES).map(([name, specs]) => db.collection(name).createIndexes(specs)));
  // after the indexes: the unique nameKey index is what tells look-alike old jobs apart. Jobs are
  // few (awaited); a failure is logged, never a failed start (it runs again at the next one).
  await backfillJobNameKeys(db, logger).catch((err) =>
    logger.error({ err }, 'jobs: name key backfill failed; it runs again at the next start'),
  );
  let closing = false;
  const candidateBackfill = backfillCandidateSearchKeys(db, logger, { batch: opts.backfillBatch, stopped: () => closing }).catch((err) => {
    if (!closing) logger.error({ err }, 'candidates: search key backfill failed; it runs again at the next start');
  });
  const candidates = db.collection<CandidateDoc>('candidates');
  const jobs = db.collection<JobDoc>('jobs');
  const cardDigests = db.collection<CardDigestDoc>('cardDigests');
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
    jobs,
    candidates,
    cardDigests,
    slackUsers: db.collection('slackUsers'),
    cards: createCardStore({ candidates, jobs }),
    digests: createDigestStore(cardDigests),
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

export { isDuplicateKey } from './errors';
