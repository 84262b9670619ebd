/**
 * Names typed in other widths, cases and spacing: the shared normalisation (text.ts), the keys the
 * import writes, and the start-up step of openStore on a database from before the keys — the old
 * unique {teamId, name} index is replaced, old jobs get their nameKey (two old look-alikes: both
 * kept, the older keeps the key, a warning is logged, start-up goes on), old candidates get their
 * searchKey in batches in the background; all of it idempotent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { Keyring } from '../../src/security/crypto';
import { normalizeName, searchKey, escapeRegExp } from '../../src/text';
import { normalizeTitle } from '../../src/domain/mapping-rules';
import { openStore, type Store } from '../../src/storage/db';
import { storeApplicants } from '../../src/domain/imports';
import type { Deps } from '../../src/domain/deps';
import type { CandidateDoc, JobDoc, MediaAccountDoc } from '../../src/storage/types';
import { startTestMongo, type TestMongo } from '../helpers/mongo';

describe('normalizeName / searchKey', () => {
  it.each([
    ['Backend Engineer', 'backend engineer'],
    ['backend engineer', 'backend engineer'],
    ['Ｂａｃｋｅｎｄ　Ｅｎｇｉｎｅｅｒ', 'backend engineer'],
    ['  Backend \t  Engineer ', 'backend engineer'],
    ['バックエンドエンジニア', 'バックエンドエンジニア'],
    ['ﾊﾞｯｸｴﾝﾄﾞｴﾝｼﾞﾆｱ', 'バックエンドエンジニア'],
  ])('normalizeName(%j) = %j', (input, want) => {
    expect(normalizeName(input)).toBe(want);
    expect(normalizeTitle(input)).toBe(want); // mapping rules compare the same way
  });

  it.each([
    ['山田 太郎 001', '山田太郎001'],
    ['山田　太郎', '山田太郎'],
    ['Ｙａｍａｄａ 001', 'yamada001'],
    ['ﾔﾏﾀﾞ ﾊﾅｺ 001', 'ヤマダハナコ001'],
  ])('searchKey(%j) = %j', (input, want) => expect(searchKey(input)).toBe(want));

  it('regex characters survive normalisation as literals once escaped', () => {
    expect(new RegExp(escapeRegExp(searchKey('．＊'))).test('ab')).toBe(false);
    expect(new RegExp(escapeRegExp(searchKey('．＊'))).test('a.*b')).toBe(true);
  });
});

const quiet = () => {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    info() {},
    error() {},
    debug() {},
    warn(obj: Record<string, unknown>, msg: string) {
      warnings.push({ obj, msg });
    },
    child() {
      return logger;
    },
  };
  return { logger: logger as never, warnings };
};

async function until(fn: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('openStore on a database from before the keys', () => {
  let mongo: TestMongo;
  let store: Store | undefined;
  const T = 'T0KEYS';
  const now = new Date();
  const oldJob = (name: string, i: number): JobDoc => ({
    _id: ObjectId.createFromTime(1_700_000_000 + i),
    teamId: T,
    name,
    channelId: 'C0KEYS',
    admins: [],
    members: [],
    createdBy: 'U0',
    createdAt: now,
    updatedAt: now,
  });

  beforeAll(async () => {
    mongo = await startTestMongo('name_keys');
    const db = mongo.client.db(mongo.dbName);
    // what the previous version left: the unique index on the raw name, jobs and candidates without keys
    await db.collection('jobs').createIndex({ teamId: 1, name: 1 }, { unique: true });
    await db.collection<JobDoc>('jobs').insertMany([
      oldJob('Backend Engineer', 1),
      oldJob('Ｂａｃｋｅｎｄ　Ｅｎｇｉｎｅｅｒ', 2), // a look-alike the old index let in
      oldJob('Sales', 3),
      { ...oldJob('Sales', 4), teamId: 'T0OTHER' },
    ]);
    const candidates: CandidateDoc[] = Array.from({ length: 2_345 }, (_, i) => ({
      teamId: T,
      medium: 'green',
      externalId: `c${i}`,
      name: i % 2 ? `ﾔﾏﾀﾞ ﾊﾅｺ ${i}` : `山田 太郎 ${i}`,
      postingExternalId: 'p',
      postingTitle: 'P',
      appliedAt: now,
      links: [],
      jobId: null,
      stage: 'new',
      assignees: [],
      accountIds: [],
      importedAt: now,
      importHistory: [],
    }));
    await db.collection<CandidateDoc>('candidates').insertMany(candidates);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await mongo?.close();
  });

  it('replaces the old index, keys the jobs (look-alikes kept and logged), keys the candidates in the background', async () => {
    const { logger, warnings } = quiet();
    store = await openStore(mongo.uri, mongo.dbName, { logger, backfillBatch: 500 });
    const indexes = await store.jobs.listIndexes().toArray();
    expect(indexes.some((ix) => JSON.stringify(ix.key) === JSON.stringify({ teamId: 1, name: 1 }))).toBe(false);
    expect(indexes.find((ix) => ix.name === 'teamId_1_nameKey_1')?.unique).toBe(true);

    const jobs = await store.jobs.find({}).sort({ _id: 1 }).toArray();
    expect(jobs.map((j) => [j.teamId, j.name, j.nameKey])).toEqual([
      [T, 'Backend Engineer', 'backend engineer'],
      [T, 'Ｂａｃｋｅｎｄ　Ｅｎｇｉｎｅｅｒ', undefined], // kept, without a key
      [T, 'Sales', 'sales'],
      ['T0OTHER', 'Sales', 'sales'],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].obj).toMatchObject({ teamId: T, jobId: String(jobs[1]._id), sameAsJobId: String(jobs[0]._id) });

    await until(async () => (await store!.candidates.countDocuments({ searchKey: { $exists: false } })) === 0);
    expect(await store.candidates.findOne({ externalId: 'c10' })).toMatchObject({ searchKey: '山田太郎10' });
    expect(await store.candidates.findOne({ externalId: 'c11' })).toMatchObject({ searchKey: 'ヤマダハナコ11' });

    // the index is in force: a look-alike of a keyed job is refused
    await expect(store.jobs.insertOne({ ...oldJob('BACKEND engineer', 9), nameKey: 'backend engineer' })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('is idempotent: a second start changes nothing, and still does not fail on the look-alike', async () => {
    await store!.close();
    const { logger, warnings } = quiet();
    store = await openStore(mongo.uri, mongo.dbName, { logger });
    expect(warnings).toHaveLength(1); // the look-alike is told again until it is renamed
    expect(await store.jobs.countDocuments({ teamId: T })).toBe(3);
    expect(await store.jobs.countDocuments({ nameKey: { $exists: false } })).toBe(1);
    // the candidates' pass found none left last time: marked done, no scan of every candidate again
    expect(await store.db.collection('migrations').findOne({ _id: 'candidates.searchKey' as never })).toMatchObject({
      doneAt: expect.any(Date),
    });
  });

  it('the import writes the search key with the name', async () => {
    const account = { _id: new ObjectId(), teamId: T, medium: 'wantedly', label: 'Main' } as MediaAccountDoc;
    // the keyring: the import checks each applicant's fingerprint against erased candidates
    const deps = { store, clock: () => new Date(), keyring: new Keyring([{ id: 'k1', key: randomBytes(32) }]) } as unknown as Deps;
    const applicant = {
      externalId: 'w1',
      name: 'Ｙａｍａｄａ　001',
      postingId: 'wp',
      postingTitle: 'Backend',
      appliedAt: now.toISOString(),
      profileUrl: 'https://example.test/w1',
      isMeetup: false,
    };
    expect((await storeApplicants(deps, account, [applicant], 'run-1')).created).toBe(1);
    expect(await store!.candidates.findOne({ teamId: T, medium: 'wantedly', externalId: 'w1' })).toMatchObject({
      name: 'Ｙａｍａｄａ　001',
      searchKey: 'yamada001',
    });
  });
});
