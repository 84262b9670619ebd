/**
 * A sort with a limit, answered by walking an index in order (the embedded server stops at the
 * limit-th match; Agenda's lock query is one): the same documents, in the same order, as a sort of
 * the whole collection without an index — on every scalar type, both directions, after updates and
 * deletes, and with an array on the indexed path (the ordered walk then gives way to a full sort).
 * Runs on the embedded server and, with MONGODB_URI, on a real MongoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { storageTargets, type TestMongo } from '../helpers/mongo';

/** Values in ascending BSON order; `r` is the value's rank (equal ranks compare equal). */
const RANKED: [number, unknown][] = [
  [0, undefined],
  [0, null],
  [1, new Double(Number.NaN)],
  [2, new Double(-Infinity)],
  [3, new Int32(1)],
  [4, new Int32(5)],
  [4, Long.fromNumber(5)],
  [4, new Double(5)],
  [4, Decimal128.fromString('5')],
  [5, new Double(5.5)],
  [6, ''],
  [7, 'a'],
  [8, 'b'],
  [9, { x: 1 }],
  [10, new ObjectId('650000000000000000000001')],
  [11, new ObjectId('650000000000000000000002')],
  [12, false],
  [13, true],
  [14, new Date(0)],
  [15, new Date(1000)],
];

function docs(): Document[] {
  const out: Document[] = [];
  let id = 0;
  for (const g of ['x', 'y'])
    for (let copy = 0; copy < 2; copy++)
      for (const [r, v] of RANKED) {
        const d: Document = { _id: id++, g, r, w: copy };
        if (v !== undefined) d.v = v;
        out.push(d);
      }
  return out;
}

describe.each(storageTargets())('sort + limit through an index on $name', (target) => {
  let mongo: TestMongo;
  let indexed: Collection<any>;
  let scanned: Collection<any>;

  beforeAll(async () => {
    mongo = await target.start('ordered');
    const db = mongo.client.db(mongo.dbName);
    indexed = db.collection('indexed');
    scanned = db.collection('scanned');
    await indexed.createIndex({ g: 1, v: 1, w: 1 });
    await indexed.createIndex({ w: 1, v: -1 });
    await indexed.insertMany(docs());
    await scanned.insertMany(docs());
  });
  afterAll(async () => {
    await mongo.close();
  });

  const ranks = async (c: Collection<any>, filter: Document, sort: Document, limit: number) =>
    (await c.find(filter, { sort, limit }).toArray()).map((d) => d.r as number);

  const cases: [Document, Document][] = [
    [{ g: 'x' }, { v: 1 }],
    [{ g: 'x' }, { v: -1 }],
    [{ g: 'y' }, { v: 1, w: 1 }],
    [{ g: 'y' }, { v: -1, w: -1 }],
    [{ g: 'x', w: 1 }, { v: 1 }],
    [{ g: 'x', r: { $gte: 4 } }, { v: 1 }],
    [{ g: 'x', $or: [{ r: 2 }, { r: { $gt: 12 } }] }, { v: -1 }],
    [{ w: 0 }, { v: -1 }],
    [{ w: 0 }, { v: 1 }],
    [{}, { g: 1, v: 1 }],
    [{ v: { $type: 'string' } }, { g: -1, v: -1 }],
  ];

  const compareAll = async () => {
    for (const [filter, sort] of cases) {
      for (const limit of [1, 3, 7, 100]) {
        const what = `${JSON.stringify(filter)} ${JSON.stringify(sort)} limit ${limit}`;
        const want = await ranks(scanned, filter, sort, limit);
        expect(await ranks(indexed, filter, sort, limit), what).toEqual(want);
        // the ranks come out sorted (a check of the scanned side too)
        const dir = Object.entries(sort).find(([k]) => k === 'v')?.[1] ?? 1;
        const sorted = [...want].sort((a, b) => (a - b) * (dir as number));
        if (!('g' in sort) && !want.includes(-1)) expect(want, what).toEqual(sorted);
      }
    }
  };

  it('gives what a full sort gives, on every scalar type and both directions', async () => {
    await compareAll();
  });

  it('walks only as far as the limit (embedded: documents examined)', async () => {
    if (mongo.kind !== 'embedded') return;
    const plan = await indexed.find({ g: 'x' }, { sort: { v: 1 }, limit: 2 }).explain('executionStats');
    expect(plan.queryPlanner.winningPlan.inputStage.indexName).toBe('g_1_v_1_w_1');
    expect(plan.executionStats.nReturned).toBe(2);
    expect(plan.executionStats.totalDocsExamined).toBe(2);
  });

  it('findOneAndUpdate with a sort takes the first in order, as Agenda locks the earliest job', async () => {
    for (const c of [indexed, scanned]) await c.updateMany({}, { $unset: { locked: '' } });
    const order: number[][] = [[], []];
    for (let i = 0; i < 6; i++) {
      for (const [j, c] of [indexed, scanned].entries()) {
        const got = await c.findOneAndUpdate(
          { g: 'y', locked: { $ne: true }, r: { $gte: 3 } },
          { $set: { locked: true } },
          { sort: { v: 1 }, returnDocument: 'after' },
        );
        order[j].push(got?.r);
      }
    }
    expect(order[0]).toEqual(order[1]);
    expect(order[0]).toEqual([3, 3, 4, 4, 4, 4]);
  });

  it('stays right after updates that move documents and deletes', async () => {
    for (const c of [indexed, scanned]) {
      await c.updateMany({ r: 7 }, { $set: { v: new Date(5000), r: 16 } });
      await c.updateMany({ r: 3, w: 0 }, { $set: { w: 1 } });
      await c.deleteMany({ r: { $in: [2, 12] } });
    }
    await compareAll();
  });

  it('falls back to a full sort while an indexed field holds an array', async () => {
    for (const c of [indexed, scanned]) await c.insertOne({ _id: 1000, g: 'x', r: -1, v: [Number.NaN, 'zz'], w: 0 });
    await compareAll();
    for (const c of [indexed, scanned]) await c.deleteOne({ _id: 1000 });
    await compareAll();
  });
});
