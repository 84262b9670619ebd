/**
 * Indexed queries give the same answer as a full scan, for every query operator and every value type
 * in the matrix: null, missing, empty and non-empty arrays, mixed and nested arrays, embedded
 * documents (and field order), strings, dates, ObjectIds, booleans, timestamps, binary, MinKey/MaxKey
 * and numbers of each BSON type (int32, int64 within and beyond 2^53, double, NaN, ±Infinity, -0,
 * Decimal128). The same documents sit in a collection with indexes on every queried path and in one
 * without; each query's _ids must agree, through find, countDocuments and aggregate $match.
 * Runs on the embedded server and, with MONGODB_URI, on a real MongoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  type Collection,
  type Document,
  type IndexSpecification,
  type Sort,
} from 'mongodb';
import { storageTargets, type TestMongo } from '../helpers/mongo';

const oid1 = new ObjectId('650000000000000000000001');
const oid2 = new ObjectId('650000000000000000000002');

/** Values stored (undefined = the field is missing). */
const VALUES: [string, unknown][] = [
  ['missing', undefined],
  ['null', null],
  ['int32 1', new Int32(1)],
  ['int32 5', new Int32(5)],
  ['int64 5', Long.fromNumber(5)],
  ['int64 2^53+1', Long.fromString('9007199254740993')],
  ['int64 -2^62', Long.fromString('-4611686018427387904')],
  ['double 5', new Double(5)],
  ['double 5.5', new Double(5.5)],
  ['double -0', new Double(-0)],
  ['double NaN', new Double(NaN)],
  ['double Infinity', new Double(Infinity)],
  ['double -Infinity', new Double(-Infinity)],
  ['decimal 5', Decimal128.fromString('5')],
  ['decimal 5.50', Decimal128.fromString('5.50')],
  ['string a', 'a'],
  ['string b', 'b'],
  ['string empty', ''],
  ['date 0', new Date(0)],
  ['date 1000', new Date(1000)],
  ['objectId 1', oid1],
  ['objectId 2', oid2],
  ['true', true],
  ['false', false],
  ['timestamp', new Timestamp({ t: 100, i: 1 })],
  ['binary', new Binary(Buffer.from('ab'))],
  ['minKey', new MinKey()],
  ['maxKey', new MaxKey()],
  ['[]', []],
  ['[null]', [null]],
  ['[1, 5]', [1, 5]],
  ['[5]', [5]],
  ['[1, "a", null]', [1, 'a', null]],
  ['[[1, 5]]', [[1, 5]]],
  ['{x: 1}', { x: 1 }],
  ['{x: 1, y: 2}', { x: 1, y: 2 }],
  ['{y: 2, x: 1}', { y: 2, x: 1 }],
  ['[{x: 1}, {x: 5}]', [{ x: 1 }, { x: 5 }]],
  ['[date 0, oid 1]', [new Date(0), oid1]],
];

/** Operands queried with (every stored value but missing, plus a few more). */
const OPERANDS: unknown[] = [
  ...VALUES.filter(([, v]) => v !== undefined).map(([, v]) => v),
  3,
  Long.fromString('9007199254740992'),
  Decimal128.fromString('5.5'),
  'A',
  new Date(500),
];

/** Documents: the value at `a`, inside `n.a`, and as one element of an array of documents `arr.a`. */
function docs(): Document[] {
  return VALUES.map(([, v], i) => {
    const d: Document = { _id: i };
    if (v !== undefined) {
      d.a = v;
      d.n = { a: v };
      d.arr = [{ a: v }, { b: 1 }];
    } else d.n = {};
    return d;
  });
}

function operatorsFor(v: unknown): Document[] {
  const out: unknown[] = [
    v,
    { $eq: v },
    { $ne: v },
    { $gt: v },
    { $gte: v },
    { $lt: v },
    { $lte: v },
    { $in: [v] },
    { $in: [v, v] },
    { $in: [v, null] },
    { $nin: [v] },
    { $all: [v] },
  ];
  out.push({ $elemMatch: { $eq: v } }, { $not: { $gte: v } });
  return out.map((c) => (c === v ? { __implicit: v } : c) as Document);
}

const FIXED: Document[] = [
  { $exists: true },
  { $exists: false },
  { $size: 0 },
  { $size: 2 },
  { $type: 'number' },
  { $type: 'array' },
  { $type: 'object' },
  { $type: 'null' },
  { $type: 'long' },
  { $type: 'decimal' },
  { $type: 'double' },
  { $type: 'int' },
  { $regex: '^a' },
  { $in: [/^a/, 5] },
  { $gt: 1, $lt: 6 },
  { $gte: 'a', $lte: 'b' },
  { $gte: new Date(0), $lt: new Date(2000) },
];

describe.each(storageTargets())('indexed queries equal full scans on $name', (target) => {
  let mongo: TestMongo;
  let indexed: Collection<any>;
  let scanned: Collection<any>;

  beforeAll(async () => {
    mongo = await target.start('matrix');
    const db = mongo.client.db(mongo.dbName);
    indexed = db.collection('indexed');
    scanned = db.collection('scanned');
    for (const key of [{ a: 1 }, { 'n.a': -1 }, { 'arr.a': 1 }, { a: 1, 'n.a': 1 }] as IndexSpecification[]) await indexed.createIndex(key);
    await indexed.insertMany(docs());
    await scanned.insertMany(docs());
  });
  afterAll(async () => {
    await mongo.close();
  });

  const idsOf = async (c: Collection<any>, filter: Document) =>
    (await c.find(filter, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id);

  it('for every operator, value type and path', async () => {
    let compared = 0;
    let usedIndex = 0;
    for (const path of ['a', 'n.a', 'arr.a']) {
      const conds = [...OPERANDS.flatMap(operatorsFor), ...FIXED];
      for (const raw of conds) {
        const cond = '__implicit' in raw ? raw.__implicit : raw;
        const filter = { [path]: cond };
        const [viaIndex, viaScan] = await Promise.all([
          idsOf(indexed, filter).catch((e) => `error ${e.code}`),
          idsOf(scanned, filter).catch((e) => `error ${e.code}`),
        ]);
        expect(viaIndex, `${path}: ${JSON.stringify(filter)}`).toEqual(viaScan);
        compared++;
        if (compared % 7 === 0 && typeof viaIndex !== 'string') {
          // every 7th: the other query paths agree too, and see whether an index served it
          expect(await indexed.countDocuments(filter), JSON.stringify(filter)).toBe(viaIndex.length);
          const agg = (await indexed.aggregate([{ $match: filter }, { $sort: { _id: 1 } }, { $project: { _id: 1 } }]).toArray()).map(
            (d) => d._id,
          );
          expect(agg, JSON.stringify(filter)).toEqual(viaIndex);
          const plan = JSON.stringify((await indexed.find(filter).explain('executionStats')).queryPlanner.winningPlan);
          if (plan.includes('IXSCAN')) usedIndex++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1500);
    expect(usedIndex).toBeGreaterThan(50);
  });

  it('for compound conditions an index can narrow', async () => {
    const filters: Document[] = [
      { a: 5, 'n.a': 5 },
      { a: { $in: [5, 'a', null] }, 'n.a': { $ne: null } },
      { a: null, 'n.a': null },
      { $or: [{ a: 5 }, { 'arr.a': 'a' }, { 'n.a': { $gt: 1 } }] },
      { $or: [{ a: null }, { a: { $size: 0 } }] },
      { $and: [{ a: { $gte: 1 } }, { a: { $lte: 5 } }] },
      { a: { $gt: 1 }, 'n.a': { $lt: 6 } },
      { 'arr.a': { $elemMatch: { $gt: 1 } } },
      { arr: { $elemMatch: { a: { $gte: 5 }, b: { $exists: false } } } },
      { a: { x: 1, y: 2 } },
      { 'a.x': 1 },
      { 'a.x': { $gte: 1 } },
      { 'a.0': 1 },
      { 'arr.0.a': 5 },
    ];
    for (const filter of filters) {
      expect(await idsOf(indexed, filter), JSON.stringify(filter)).toEqual(await idsOf(scanned, filter));
    }
  });

  it('sorts the same with and without an index, on every value type', async () => {
    for (const sort of [{ a: 1 }, { a: -1 }, { 'n.a': 1 }, { 'arr.a': -1 }, { a: 1, 'n.a': -1 }] as Document[]) {
      const full = { ...sort, _id: 1 } as Sort;
      const [x, y] = await Promise.all([indexed, scanned].map(async (c) => (await c.find({}, { sort: full }).toArray()).map((d) => d._id)));
      expect(x, JSON.stringify(sort)).toEqual(y);
      const [fx, fy] = await Promise.all(
        [indexed, scanned].map(async (c) => (await c.find({ a: { $gte: 1 } }, { sort: full }).toArray()).map((d) => d._id)),
      );
      expect(fx, JSON.stringify(sort)).toEqual(fy);
    }
  });
});
