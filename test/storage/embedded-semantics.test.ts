/**
 * MongoDB's semantics, rule by rule (docs/storage.md, "Semantics"), through the driver: every query
 * rule is checked on a collection with indexes on the fields it reads and on one without, which must
 * give the same answer. Runs on the embedded server and, with MONGODB_URI, on a real MongoDB — where
 * these expectations are MongoDB's own behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long, MongoServerError, ObjectId, Timestamp, type Collection, type Db, type Document } from 'mongodb';
import { storageTargets, type TestMongo } from '../helpers/mongo';

describe.each(storageTargets())('MongoDB semantics on $name', (target) => {
  let mongo: TestMongo;
  let db: Db;
  let n = 0;

  beforeAll(async () => {
    mongo = await target.start('semantics');
    db = mongo.client.db(mongo.dbName);
  });
  afterAll(async () => {
    await mongo.close();
  });

  /** The same documents in two collections: one with indexes on `indexed` fields, one without. */
  async function pair(docs: Document[], indexed: Document[] = [{ a: 1 }]): Promise<[Collection<any>, Collection<any>]> {
    const withIx = db.collection<any>(`ix${n}`);
    const without = db.collection<any>(`scan${n++}`);
    for (const key of indexed) await withIx.createIndex(key);
    if (docs.length) {
      await withIx.insertMany(docs.map((d) => ({ ...d })));
      await without.insertMany(docs.map((d) => ({ ...d })));
    }
    return [withIx, without];
  }

  /** The _ids a filter finds (sorted by _id), the same with and without the index. */
  async function ids(colls: [Collection<any>, Collection<any>], filter: Document, sort?: Document): Promise<unknown[]> {
    const [a, b] = await Promise.all(colls.map((c) => c.find(filter, { sort: sort ?? { _id: 1 } }).toArray()));
    const ia = a.map((d) => d._id);
    expect(ia, `indexed vs scan for ${JSON.stringify(filter)}`).toEqual(b.map((d) => d._id));
    return ia;
  }

  describe('a repeated $in value names its document once', () => {
    it('in find, count, aggregate, updateMany and deleteMany, with and without an index', async () => {
      const id = new ObjectId();
      for (const c of await pair(
        [
          { _id: id, name: 'job', lockedAt: null },
          { _id: new ObjectId(), name: 'other', lockedAt: null },
        ],
        [{ name: 1, lockedAt: 1 }],
      )) {
        const q = { _id: { $in: [id, id] } };
        expect(await c.find(q).toArray()).toHaveLength(1);
        expect(await c.countDocuments(q)).toBe(1);
        expect(await c.aggregate([{ $match: q }]).toArray()).toHaveLength(1);
        const u = await c.updateMany(q, { $set: { lockedAt: new Date() } });
        expect([u.matchedCount, u.modifiedCount]).toEqual([1, 1]);
        expect(await c.countDocuments({ name: 'job', lockedAt: { $ne: null } })).toBe(1);
        expect(await c.deleteMany({ _id: { $in: [id, id] } })).toMatchObject({ deletedCount: 1 });
        // through the index, the deleted document is gone for good
        await c.deleteMany({});
        expect(await c.find({ name: 'job' }).toArray()).toEqual([]);
        expect(await c.find({ name: 'job', lockedAt: { $ne: null } }).toArray()).toEqual([]);
        expect(await c.findOneAndUpdate({ name: 'job' }, { $set: { lockedAt: new Date() } })).toBeNull();
      }
    });

    it('with a unique index the update does not collide with itself', async () => {
      const c = db.collection<any>(`uniq${n++}`);
      await c.createIndex({ k: 1 }, { unique: true });
      await c.insertOne({ _id: 1, k: 'a', v: 0 });
      const r = await c.updateMany({ _id: { $in: [1, 1, 1] } }, { $inc: { v: 1 } });
      expect([r.matchedCount, r.modifiedCount]).toEqual([1, 1]);
      expect(await c.findOne({ k: 'a' })).toEqual({ _id: 1, k: 'a', v: 1 });
    });
  });

  describe('an update applies whole or not at all', () => {
    const cases: [string, Document, Document, number][] = [
      ['$inc on a string', { s: 'x' }, { $inc: { s: 1 } }, 14],
      ['$mul on a string', { s: 'x' }, { $mul: { s: 2 } }, 14],
      ['$inc on a date', { d: new Date(0) }, { $inc: { d: 1 } }, 14],
      ['$push on a number', { p: 5 }, { $push: { p: 1 } }, 2],
      ['$addToSet on a string', { p: 'x' }, { $addToSet: { p: 1 } }, 2],
      ['$pull on a number', { p: 5 }, { $pull: { p: 1 } }, 2],
      ['$pop on a string', { p: 'x' }, { $pop: { p: 1 } }, 14],
      ['$set through a number', { p: 5 }, { $set: { 'p.q': 1 } }, 28],
      ['$inc with a string', { s: 1 }, { $inc: { s: 'one' } }, 14],
    ];
    it.each(cases)('%s is refused with its code and changes nothing', async (_name, fields, op, code) => {
      const c = db.collection<any>(`whole${n++}`);
      await c.insertOne({ _id: 1, ...fields, other: 0 });
      const before = await c.findOne({ _id: 1 });
      const err = await c.updateOne({ _id: 1 }, { ...op, $set: { ...(op.$set ?? {}), other: 1 } }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(code);
      expect(await c.findOne({ _id: 1 })).toEqual(before);
      // findAndModify too
      const err2 = await c.findOneAndUpdate({ _id: 1 }, { ...op, $set: { ...(op.$set ?? {}), other: 2 } }).catch((e) => e);
      expect(err2.code).toBe(code);
      expect(await c.findOne({ _id: 1 })).toEqual(before);
    });

    it('a multi update stops at the first document it cannot update, leaving that one untouched', async () => {
      const c = db.collection<any>(`multi${n++}`);
      await c.insertMany([
        { _id: 1, v: 1 },
        { _id: 2, v: 'two' },
        { _id: 3, v: 3 },
      ]);
      const err = await c.updateMany({}, { $inc: { v: 10 }, $set: { seen: true } }).catch((e) => e);
      expect(err.code).toBe(14);
      expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, v: 'two' });
      // every document is either wholly updated or untouched
      for (const d of await c.find({ _id: { $ne: 2 } }).toArray()) {
        expect(d.seen === true ? d.v > 10 : d.v < 10).toBe(true);
      }
    });
  });

  describe('update errors carry MongoDB codes', () => {
    it('40 for conflicting paths, 9 for an unknown modifier, 56 for an empty field name', async () => {
      const c = db.collection<any>(`codes${n++}`);
      await c.insertOne({ _id: 1, a: { b: 1 } });
      expect((await c.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } }).catch((e) => e)).code).toBe(40);
      expect((await c.updateOne({ _id: 1 }, { $set: { 'a.b': 1, a: 2 } }).catch((e) => e)).code).toBe(40);
      expect((await c.updateOne({ _id: 1 }, { $set: { a: 1 }, $rename: { x: 'a' } }).catch((e) => e)).code).toBe(40);
      expect((await c.updateOne({ _id: 1 }, { $frobnicate: { a: 1 } } as Document).catch((e) => e)).code).toBe(9);
      expect((await c.updateOne({ _id: 1 }, { $set: { 'a..b': 1 } }).catch((e) => e)).code).toBe(56);
      expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: { b: 1 } });
    });

    it('31254 / 31253 for a projection mixing inclusion and exclusion', async () => {
      const c = db.collection<any>(`proj${n++}`);
      await c.insertOne({ _id: 1, a: 1, b: 2 });
      expect(
        (
          await c
            .find({}, { projection: { a: 1, b: 0 } })
            .toArray()
            .catch((e) => e)
        ).code,
      ).toBe(31254);
      expect(
        (
          await c
            .find({}, { projection: { a: 0, b: 1 } })
            .toArray()
            .catch((e) => e)
        ).code,
      ).toBe(31253);
      expect(
        (
          await c
            .aggregate([{ $project: { a: 1, b: 0 } }])
            .toArray()
            .catch((e) => e)
        ).code,
      ).toBe(31254);
      // _id may be excluded from an inclusion projection
      expect(await c.find({}, { projection: { a: 1, _id: 0 } }).toArray()).toEqual([{ a: 1 }]);
    });
  });

  describe('comparisons', () => {
    const docs = [{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: 1 }, { _id: 4, a: [null, 2] }, { _id: 5, a: 'x' }, { _id: 6, a: [] }];
    it('null matches null and missing, so $gte/$lte null do too; $gt/$lt null match nothing', async () => {
      const cs = await pair(docs);
      expect(await ids(cs, { a: null })).toEqual([1, 2, 4]);
      expect(await ids(cs, { a: { $gte: null } })).toEqual([1, 2, 4]);
      expect(await ids(cs, { a: { $lte: null } })).toEqual([1, 2, 4]);
      expect(await ids(cs, { a: { $gt: null } })).toEqual([]);
      expect(await ids(cs, { a: { $lt: null } })).toEqual([]);
      expect(await ids(cs, { a: { $ne: null } })).toEqual([3, 5, 6]);
      expect(await ids(cs, { a: { $in: [null] } })).toEqual([1, 2, 4]);
      expect(await ids(cs, { a: { $exists: false } })).toEqual([2]);
    });

    it('comparison operators bracket by type: $gt: 0 matches numbers only, an array by any element', async () => {
      const cs = await pair(docs);
      expect(await ids(cs, { a: { $gt: 0 } })).toEqual([3, 4]);
      expect(await ids(cs, { a: { $gte: 'a' } })).toEqual([5]);
      expect(await ids(cs, { a: { $lt: 2 } })).toEqual([3]);
    });

    it("$type: 'number' matches numbers of every type, and arrays holding one", async () => {
      const cs = await pair([
        { _id: 1, a: [1, 2] },
        { _id: 2, a: ['x'] },
        { _id: 3, a: new Int32(1) },
        { _id: 4, a: Long.fromString('9007199254740993') },
        { _id: 5, a: new Double(1.5) },
        { _id: 6, a: Decimal128.fromString('2.5') },
        { _id: 7, a: 'x' },
      ]);
      expect(await ids(cs, { a: { $type: 'number' } })).toEqual([1, 3, 4, 5, 6]);
      expect(await ids(cs, { a: { $type: 'array' } })).toEqual([1, 2]);
      expect(await ids(cs, { a: { $type: 'string' } })).toEqual([2, 7]);
      expect(await ids(cs, { a: { $type: ['long', 'decimal'] } })).toEqual([4, 6]);
    });

    it('numbers of every BSON type compare by value', async () => {
      const cs = await pair([
        { _id: 1, a: new Int32(5) },
        { _id: 2, a: Long.fromNumber(5) },
        { _id: 3, a: new Double(5) },
        { _id: 4, a: Decimal128.fromString('5') },
        { _id: 5, a: new Double(5.5) },
        { _id: 6, a: Long.fromString('9007199254740993') },
      ]);
      for (const five of [5, new Int32(5), Long.fromNumber(5), new Double(5), Decimal128.fromString('5.0')]) {
        expect(await ids(cs, { a: five })).toEqual([1, 2, 3, 4]);
      }
      expect(await ids(cs, { a: { $gt: 5 } })).toEqual([5, 6]);
      expect(await ids(cs, { a: { $gt: 9007199254740992 } })).toEqual([6]);
      expect(await ids(cs, { a: Long.fromString('9007199254740993') })).toEqual([6]);
    });

    it('an embedded document equals another only with the same fields in the same order', async () => {
      const cs = await pair([
        { _id: 1, a: { x: 1, y: 2 } },
        { _id: 2, a: { y: 2, x: 1 } },
        { _id: 3, a: [{ x: 1, y: 2 }] },
      ]);
      expect(await ids(cs, { a: { x: 1, y: 2 } })).toEqual([1, 3]);
      expect(await ids(cs, { a: { y: 2, x: 1 } })).toEqual([2]);
      expect(await ids(cs, { 'a.x': 1 })).toEqual([1, 2, 3]);
    });
  });

  describe('sort', () => {
    it('an array sorts by its smallest element ascending and its largest descending; [] before null', async () => {
      const cs = await pair([{ _id: 1, a: [1, 10] }, { _id: 2, a: 5 }, { _id: 3, a: [3] }, { _id: 4, a: [] }, { _id: 5 }]);
      for (const c of cs) {
        expect((await c.find({}, { sort: { a: 1, _id: 1 } }).toArray()).map((d) => d._id)).toEqual([4, 5, 1, 3, 2]);
        expect((await c.find({}, { sort: { a: -1, _id: 1 } }).toArray()).map((d) => d._id)).toEqual([1, 2, 3, 5, 4]);
        expect((await c.aggregate([{ $sort: { a: -1, _id: 1 } }]).toArray()).map((d) => d._id)).toEqual([1, 2, 3, 5, 4]);
        // with a filter the index answers: the sort key is still the whole array's (MongoDB 3.6+
        // ignores the query predicate when picking an array's sort key)
        expect((await c.find({ a: { $gte: 2 } }, { sort: { a: 1 } }).toArray()).map((d) => d._id)).toEqual([1, 3, 2]);
      }
    });
  });

  describe('projection and $currentDate', () => {
    it('$project keeps the input order for included fields, then new fields in projection order', async () => {
      const c = db.collection<any>(`order${n++}`);
      await c.insertOne({ _id: 1, a: 1, b: 2, s: { y: 1, x: 2 } });
      const [p] = await c.aggregate([{ $project: { c: { $literal: 5 }, b: 1, a: 1, 's.x': 1, 's.z': { $literal: 0 } } }]).toArray();
      expect(Object.keys(p)).toEqual(['_id', 'a', 'b', 's', 'c']);
      expect(Object.keys(p.s)).toEqual(['x', 'z']);
      const [f] = await c.find({}, { projection: { c: { $literal: 5 }, b: 1, a: 1 } }).toArray();
      expect(Object.keys(f)).toEqual(['_id', 'a', 'b', 'c']);
    });

    it("$currentDate {$type: 'timestamp'} stores a BSON Timestamp, true a date", async () => {
      const c = db.collection<any>(`ts${n++}`);
      await c.insertOne({ _id: 1 });
      await c.updateOne({ _id: 1 }, { $currentDate: { t: { $type: 'timestamp' }, d: true } } as Document);
      const d = await c.findOne({ _id: 1 });
      expect(d!.t).toBeInstanceOf(Timestamp);
      expect(d!.d).toBeInstanceOf(Date);
      expect(await c.countDocuments({ t: { $type: 'timestamp' } })).toBe(1);
    });
  });
});
