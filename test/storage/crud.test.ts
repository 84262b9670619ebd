/**
 * CRUD through the official driver, as the MongoDB CRUD specification's unified tests describe it
 * (source/crud/tests/unified in mongodb/specifications: insert, update/replace with upsert, delete,
 * findOneAnd*, bulkWrite ordered/unordered, countDocuments, distinct, aggregate, cursors).
 * Runs on the embedded server always and on a real MongoDB when MONGODB_URI is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoBulkWriteError, MongoServerError, type Collection, type Db, type Document } from 'mongodb';
import { storageTargets, type TestMongo } from '../helpers/mongo';

describe.each(storageTargets())('CRUD on $name', (target) => {
  let mongo: TestMongo;
  let db: Db;
  // test documents use numeric and string _ids
  let coll: Collection<any>;
  let n = 0;

  beforeAll(async () => {
    mongo = await target.start('crud');
    db = mongo.client.db(mongo.dbName);
  });
  afterAll(async () => {
    await mongo.close();
  });
  beforeEach(async () => {
    coll = db.collection<any>(`coll${n++}`);
    await coll.insertMany([
      { _id: 1, x: 11 },
      { _id: 2, x: 22 },
    ] as Document[]);
  });

  const all = () => coll.find({}).sort({ _id: 1 }).toArray();

  describe('insert', () => {
    it('insertOne returns the id and stores the document', async () => {
      const r = await coll.insertOne({ _id: 3, x: 33 } as Document);
      expect(r).toMatchObject({ acknowledged: true, insertedId: 3 });
      expect(await all()).toEqual([
        { _id: 1, x: 11 },
        { _id: 2, x: 22 },
        { _id: 3, x: 33 },
      ]);
    });

    it('insertOne generates an ObjectId and keeps _id first', async () => {
      const r = await coll.insertOne({ y: 1 });
      const stored = await coll.findOne({ _id: r.insertedId });
      expect(Object.keys(stored!)).toEqual(['_id', 'y']);
    });

    it('insertOne with a duplicate _id fails with 11000 and keyPattern/keyValue', async () => {
      const err = await coll.insertOne({ _id: 1, x: 99 } as Document).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(11000);
      expect(err.keyPattern).toEqual({ _id: 1 });
      expect(err.keyValue).toEqual({ _id: 1 });
      expect(await coll.countDocuments()).toBe(2);
    });

    it('ordered insertMany stops at the first duplicate', async () => {
      const err = await coll.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 4 }] as Document[]).catch((e) => e);
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      expect(err.result.insertedCount).toBe(1);
      expect(err.writeErrors?.[0]?.index ?? err.writeErrors?.index).toBe(1);
      expect((await all()).map((d) => d._id)).toEqual([1, 2, 3]);
    });

    it('unordered insertMany continues past duplicates', async () => {
      const err = await coll.insertMany([{ _id: 3 }, { _id: 3 }, { _id: 4 }] as Document[], { ordered: false }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      expect(err.result.insertedCount).toBe(2);
      expect((await all()).map((d) => d._id)).toEqual([1, 2, 3, 4]);
    });

    it('accepts _id values of many types and finds each by its _id', async () => {
      const { Binary, ObjectId } = await import('mongodb');
      // (driver 6 replaces a null _id on insert with an ObjectId, so null is covered by the upsert test below)
      const ids: unknown[] = ['str', 42, 4.5, new ObjectId(), new Date(5), { a: 1, b: 'x' }, new Binary(Buffer.from('bin')), true];
      for (const id of ids) await coll.insertOne({ _id: id, tag: 'id-types' } as Document);
      for (const id of ids) expect((await coll.findOne({ _id: id } as Document))?._id).toEqual(id);
      expect(await coll.countDocuments({ tag: 'id-types' })).toBe(ids.length);
      const dup = await coll.insertOne({ _id: { a: 1, b: 'x' } } as Document).catch((e) => e);
      expect(dup.code).toBe(11000);
    });

    it('an upsert on {_id: null} stores _id null', async () => {
      const fresh = db.collection<any>(`nullid${n}`);
      await fresh.updateOne({ _id: null }, { $unset: { a: '' } }, { upsert: true });
      expect(await fresh.find({}).toArray()).toEqual([{ _id: null }]);
    });

    it('stores $-prefixed and dotted field names (MongoDB 5.0+), but not $-prefixed keys inside _id', async () => {
      await coll.insertOne({ _id: 5, $a: 1, 'b.c': 2, d: { $e: 3 } } as Document);
      expect(await coll.findOne({ _id: 5 })).toEqual({ _id: 5, $a: 1, 'b.c': 2, d: { $e: 3 } });
      const err = await coll.insertOne({ _id: { $a: 1 } } as Document).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
    });

    it('stores values of many BSON types and reads them back', async () => {
      const doc = {
        _id: 'types',
        s: 'str',
        n: 1.5,
        i: 7,
        b: true,
        nul: null,
        d: new Date(1_700_000_000_000),
        arr: [1, 'a', { z: 1 }],
        o: { p: { q: 1 } },
      };
      await coll.insertOne(doc as Document);
      expect(await coll.findOne({ _id: 'types' } as Document)).toEqual(doc);
    });
  });

  describe('update and replace', () => {
    it('updateOne reports matched/modified and leaves an unchanged document unmodified', async () => {
      expect(await coll.updateOne({ _id: 1 }, { $set: { x: 11 } })).toMatchObject({ matchedCount: 1, modifiedCount: 0, upsertedCount: 0 });
      expect(await coll.updateOne({ _id: 2 }, { $inc: { x: 1 } })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await coll.updateOne({ _id: 9 }, { $inc: { x: 1 } })).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedId: null });
      expect(await all()).toEqual([
        { _id: 1, x: 11 },
        { _id: 2, x: 23 },
      ]);
    });

    it('updateOne with upsert inserts from the filter equalities and $setOnInsert', async () => {
      const r = await coll.updateOne({ _id: 3, k: 'a' }, { $set: { x: 33 }, $setOnInsert: { created: true } }, { upsert: true });
      expect(r).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1, upsertedId: 3 });
      expect(await coll.findOne({ _id: 3 })).toEqual({ _id: 3, k: 'a', x: 33, created: true });
      // $setOnInsert does nothing on a match
      await coll.updateOne({ _id: 3 }, { $set: { x: 34 }, $setOnInsert: { created: false } }, { upsert: true });
      expect(await coll.findOne({ _id: 3 })).toEqual({ _id: 3, k: 'a', x: 34, created: true });
    });

    it('updateMany updates every match', async () => {
      const r = await coll.updateMany({ x: { $lte: 22 } }, { $inc: { x: 1 } });
      expect(r).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
      expect(await all()).toEqual([
        { _id: 1, x: 12 },
        { _id: 2, x: 23 },
      ]);
    });

    it('update with arrayFilters changes only the filtered elements', async () => {
      await coll.insertOne({ _id: 5, y: [{ b: 3 }, { b: 1 }] } as Document);
      await coll.updateOne({ _id: 5 }, { $set: { 'y.$[i].b': 2 } }, { arrayFilters: [{ 'i.b': 3 }] });
      expect(await coll.findOne({ _id: 5 })).toEqual({ _id: 5, y: [{ b: 2 }, { b: 1 }] });
    });

    it('update with the positional $ operator changes the matched element', async () => {
      await coll.insertOne({ _id: 6, tags: ['a', 'b', 'c'] } as Document);
      await coll.updateOne({ _id: 6, tags: 'b' }, { $set: { 'tags.$': 'B' } });
      expect(await coll.findOne({ _id: 6 })).toEqual({ _id: 6, tags: ['a', 'B', 'c'] });
    });

    it('update supports $push, $addToSet, $pull, $unset, $rename, $min, $max, $mul, $currentDate', async () => {
      await coll.insertOne({ _id: 7, a: [1], s: [1], p: [1, 2, 3], u: 1, r: 1, mn: 5, mx: 5, m: 3 } as Document);
      await coll.updateOne({ _id: 7 }, {
        $push: { a: 2 },
        $addToSet: { s: 1 },
        $pull: { p: 2 },
        $unset: { u: '' },
        $rename: { r: 'rr' },
        $min: { mn: 1 },
        $max: { mx: 9 },
        $mul: { m: 2 },
        $currentDate: { at: true },
      } as Document);
      const d = await coll.findOne({ _id: 7 });
      expect(d).toMatchObject({ a: [1, 2], s: [1], p: [1, 3], rr: 1, mn: 1, mx: 9, m: 6 });
      expect(d).not.toHaveProperty('u');
      expect(d?.at).toBeInstanceOf(Date);
    });

    it('let variables in find, update and delete', async () => {
      expect(await coll.find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 } }).toArray()).toEqual([{ _id: 2, x: 22 }]);
      expect(await coll.find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 }, projection: { _id: 0 } }).toArray()).toEqual([
        { x: 22 },
      ]);
      await coll.updateOne({ $expr: { $eq: ['$_id', '$$id'] } }, [{ $set: { y: '$$v' } }], { let: { id: 1, v: { $literal: 'bar' } } });
      expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, x: 11, y: 'bar' });
      expect(await coll.deleteOne({ $expr: { $eq: ['$x', '$$x'] } }, { let: { x: 22 } })).toMatchObject({ deletedCount: 1 });
    });

    it('pipeline-style update', async () => {
      await coll.updateOne({ _id: 1 }, [{ $set: { y: { $add: ['$x', 1] } } }]);
      expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, x: 11, y: 12 });
    });

    it('an update that would change _id fails', async () => {
      const err = await coll.updateOne({ _id: 1 }, { $set: { _id: 5 } }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(66);
    });

    it('replaceOne replaces the whole document and can upsert', async () => {
      expect(await coll.replaceOne({ _id: 1 }, { x: 12 })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await coll.replaceOne({ _id: 3 }, { x: 33 }, { upsert: true })).toMatchObject({ upsertedCount: 1, upsertedId: 3 });
      expect(await all()).toEqual([
        { _id: 1, x: 12 },
        { _id: 2, x: 22 },
        { _id: 3, x: 33 },
      ]);
    });
  });

  describe('delete', () => {
    it('deleteOne deletes at most one, deleteMany all matches', async () => {
      await coll.insertOne({ _id: 3, x: 33 } as Document);
      expect(await coll.deleteOne({ x: { $gt: 11 } })).toMatchObject({ deletedCount: 1 });
      expect(await coll.countDocuments()).toBe(2);
      expect(await coll.deleteMany({ x: { $gt: 0 } })).toMatchObject({ deletedCount: 2 });
      expect(await coll.deleteMany({})).toMatchObject({ deletedCount: 0 });
    });
  });

  describe('findOneAnd*', () => {
    beforeEach(async () => {
      await coll.insertOne({ _id: 3, x: 33 } as Document);
    });

    it('findOneAndUpdate returns the document before (default) or after, honouring sort and projection', async () => {
      const before = await coll.findOneAndUpdate(
        { _id: { $gt: 1 } },
        { $inc: { x: 1 } },
        { sort: { x: -1 }, projection: { x: 1, _id: 0 } },
      );
      expect(before).toEqual({ x: 33 });
      const after = await coll.findOneAndUpdate({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { x: 1 }, returnDocument: 'after' });
      expect(after).toEqual({ _id: 2, x: 23 });
    });

    it('findOneAndUpdate with upsert', async () => {
      const r = await coll.findOneAndUpdate(
        { _id: 4 },
        { $inc: { x: 1 } },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      );
      expect(r.value).toEqual({ _id: 4, x: 1 });
      expect(r.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 4 });
      expect(await coll.findOneAndUpdate({ _id: 99 }, { $inc: { x: 1 } })).toBeNull();
    });

    it('findOneAndReplace', async () => {
      expect(await coll.findOneAndReplace({ x: { $gt: 22 } }, { x: 34 })).toEqual({ _id: 3, x: 33 });
      expect(await coll.findOneAndReplace({ x: 34 }, { x: 35 }, { returnDocument: 'after' })).toEqual({ _id: 3, x: 35 });
    });

    it('findOneAndDelete with sort', async () => {
      expect(await coll.findOneAndDelete({ x: { $gt: 11 } }, { sort: { x: 1 } })).toEqual({ _id: 2, x: 22 });
      expect((await all()).map((d) => d._id)).toEqual([1, 3]);
      expect(await coll.findOneAndDelete({ _id: 42 })).toBeNull();
    });
  });

  describe('bulkWrite', () => {
    it('ordered, mixed operations', async () => {
      const r = await coll.bulkWrite(
        [
          { insertOne: { document: { _id: 3, x: 33 } } },
          { updateOne: { filter: { _id: 2 }, update: { $inc: { x: 1 } } } },
          { updateMany: { filter: { _id: { $gt: 1 } }, update: { $inc: { x: 1 } } } },
          { insertOne: { document: { _id: 4, x: 44 } } },
          { deleteMany: { filter: { x: { $nin: [24, 34] } } } },
          { replaceOne: { filter: { _id: 4 }, replacement: { _id: 4, x: 44 }, upsert: true } },
        ] as never,
        { ordered: true },
      );
      expect(r).toMatchObject({
        insertedCount: 2,
        matchedCount: 3,
        modifiedCount: 3,
        deletedCount: 2,
        upsertedCount: 1,
        upsertedIds: { 5: 4 },
      });
      expect(await all()).toEqual([
        { _id: 2, x: 24 },
        { _id: 3, x: 34 },
        { _id: 4, x: 44 },
      ]);
    });

    it('unordered continues after a duplicate key', async () => {
      const err = await coll
        .bulkWrite(
          [
            { insertOne: { document: { _id: 2, x: 22 } } },
            { insertOne: { document: { _id: 3, x: 33 } } },
            { insertOne: { document: { _id: 4, x: 44 } } },
          ] as never,
          { ordered: false },
        )
        .catch((e) => e);
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      expect(err.result.insertedCount).toBe(2);
      expect(err.code).toBe(11000);
      expect((await all()).map((d) => d._id)).toEqual([1, 2, 3, 4]);
    });

    it('ordered stops at the first error', async () => {
      const err = await coll
        .bulkWrite([{ insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 5 } } }] as never, { ordered: true })
        .catch((e) => e);
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      expect(err.result.insertedCount).toBe(0);
      expect(await coll.countDocuments()).toBe(2);
    });
  });

  describe('reads', () => {
    it('find with filter, sort, skip, limit and projection', async () => {
      await coll.insertMany([
        { _id: 3, x: 33, y: 'a' },
        { _id: 4, x: 44, y: 'b' },
      ] as Document[]);
      const r = await coll.find({ x: { $gt: 11 } }, { sort: { x: -1 }, skip: 1, limit: 2, projection: { _id: 0, x: 1 } }).toArray();
      expect(r).toEqual([{ x: 33 }, { x: 22 }]);
      expect(
        await coll
          .find({ y: { $in: ['a', 'b'] } })
          .project({ y: 1 })
          .sort({ y: -1 })
          .toArray(),
      ).toEqual([
        { _id: 4, y: 'b' },
        { _id: 3, y: 'a' },
      ]);
      expect(await coll.findOne({ x: { $exists: false } })).toBeNull();
    });

    it('projections and pipelines never change the stored documents', async () => {
      await coll.insertOne({ _id: 9, b: { c: 1, d: 2 }, arr: [1, 2, 3] } as Document);
      expect(await coll.findOne({ _id: 9 }, { projection: { 'b.c': 0 } })).toEqual({ _id: 9, b: { d: 2 }, arr: [1, 2, 3] });
      expect(await coll.findOneAndUpdate({ _id: 9 }, { $set: { y: 1 } }, { projection: { 'b.d': 0, arr: 0 } })).toEqual({
        _id: 9,
        b: { c: 1 },
      });
      const included = await coll.findOne({ _id: 9 }, { projection: { b: 1 } });
      expect(included).toEqual({ _id: 9, b: { c: 1, d: 2 } });
      expect(Object.keys(included!)).toEqual(['_id', 'b']);
      expect(await coll.findOne({ _id: 9 }, { projection: { arr: 0, b: 0, _id: 0 } })).toEqual({ y: 1 });
      await coll.aggregate([{ $match: { _id: 9 } }, { $project: { 'b.d': 0 } }]).toArray();
      await coll.aggregate([{ $match: { _id: 9 } }, { $facet: { x: [{ $addFields: { z: 1 } }] } }]).toArray();
      expect(await coll.findOne({ _id: 9 })).toEqual({ _id: 9, b: { c: 1, d: 2 }, arr: [1, 2, 3], y: 1 });
    });

    it('cursors deliver many batches through getMore and can be closed early', async () => {
      const docs = Array.from({ length: 250 }, (_, i) => ({ _id: 100 + i, i }));
      await coll.insertMany(docs as Document[]);
      const got = await coll
        .find({ i: { $gte: 0 } })
        .sort({ i: 1 })
        .batchSize(7)
        .toArray();
      expect(got.map((d) => d.i)).toEqual(docs.map((d) => d.i));
      const cursor = coll.find({ i: { $gte: 0 } }).batchSize(3);
      expect(await cursor.next()).not.toBeNull();
      await cursor.close();
      // default batches (101 first) through the whole set
      expect((await coll.find({}).toArray()).length).toBe(252);
      expect((await coll.find({}).limit(120).toArray()).length).toBe(120);
    });

    it('countDocuments with filter, skip and limit; estimatedDocumentCount', async () => {
      await coll.insertMany([
        { _id: 3, x: 33 },
        { _id: 4, x: 44 },
      ] as Document[]);
      expect(await coll.countDocuments()).toBe(4);
      expect(await coll.countDocuments({ x: { $gt: 11 } })).toBe(3);
      expect(await coll.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
      expect(await coll.estimatedDocumentCount()).toBe(4);
      expect(await db.collection('missing_coll').countDocuments()).toBe(0);
    });

    it('distinct flattens arrays and applies the filter', async () => {
      await coll.insertMany([
        { _id: 3, x: 11, t: ['a', 'b'] },
        { _id: 4, x: 44, t: 'b' },
        { _id: 5, x: 44, t: { n: 1 } },
      ] as Document[]);
      expect((await coll.distinct('x')).sort()).toEqual([11, 22, 44]);
      expect(await coll.distinct('t', { _id: { $in: [3, 4] } })).toEqual(expect.arrayContaining(['a', 'b']));
      expect((await coll.distinct('t', { _id: { $in: [3, 4] } })).length).toBe(2);
    });

    it('aggregate: $match $group $sort $limit $skip $project $unwind $count $lookup $addFields', async () => {
      const orders = db.collection<any>(`orders${n}`);
      await orders.insertMany([
        { _id: 1, cust: 1, items: ['a', 'b'], total: 5 },
        { _id: 2, cust: 1, items: ['c'], total: 7 },
        { _id: 3, cust: 2, items: [], total: 1 },
      ] as Document[]);
      const grouped = await orders
        .aggregate([{ $match: { total: { $gt: 0 } } }, { $group: { _id: '$cust', sum: { $sum: '$total' } } }, { $sort: { sum: -1 } }])
        .toArray();
      expect(grouped).toEqual([
        { _id: 1, sum: 12 },
        { _id: 2, sum: 1 },
      ]);
      expect(await orders.aggregate([{ $unwind: '$items' }, { $count: 'n' }]).toArray()).toEqual([{ n: 3 }]);
      expect(
        await orders.aggregate([{ $sort: { _id: 1 } }, { $skip: 1 }, { $limit: 1 }, { $project: { _id: 0, total: 1 } }]).toArray(),
      ).toEqual([{ total: 7 }]);
      const joined = await coll
        .aggregate([
          { $match: { _id: 1 } },
          { $lookup: { from: `orders${n}`, localField: '_id', foreignField: 'cust', as: 'orders' } },
          { $addFields: { count: { $size: '$orders' } } },
          { $project: { orders: 0 } },
        ])
        .toArray();
      expect(joined).toEqual([{ _id: 1, x: 11, count: 2 }]);
      // $addFields did not leak into the stored document
      expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, x: 11 });
    });
  });

  describe('collections and indexes', () => {
    it('unique index: 11000 with keyPattern/keyValue; index listed and droppable', async () => {
      const name = await coll.createIndex({ x: 1 }, { unique: true });
      expect(name).toBe('x_1');
      const err = await coll.insertOne({ _id: 3, x: 22 } as Document).catch((e) => e);
      expect(err.code).toBe(11000);
      expect(err.keyPattern).toEqual({ x: 1 });
      expect(err.keyValue).toEqual({ x: 22 });
      const dupUpdate = await coll.updateOne({ _id: 1 }, { $set: { x: 22 } }).catch((e) => e);
      expect(dupUpdate.code).toBe(11000);
      expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, x: 11 });
      const indexes = await coll.listIndexes().toArray();
      expect(indexes.map((i) => i.name)).toEqual(['_id_', 'x_1']);
      expect(indexes[1]).toMatchObject({ key: { x: 1 }, unique: true });
      await coll.dropIndex('x_1');
      await coll.insertOne({ _id: 3, x: 22 } as Document);
    });

    it('creating a unique index over duplicates fails', async () => {
      await coll.insertOne({ _id: 3, x: 22 } as Document);
      const err = await coll.createIndex({ x: 1 }, { unique: true }).catch((e) => e);
      expect(err.code).toBe(11000);
    });

    it('compound unique index', async () => {
      coll = db.collection<any>(`compound${n}`);
      await coll.createIndex({ team: 1, ext: 1 }, { unique: true });
      await coll.insertOne({ team: 'T1', ext: 'a' });
      await coll.insertOne({ team: 'T2', ext: 'a' });
      const err = await coll.insertOne({ team: 'T1', ext: 'a' }).catch((e) => e);
      expect(err.code).toBe(11000);
      expect(err.keyValue).toEqual({ team: 'T1', ext: 'a' });
    });

    it('sparse and partial unique indexes skip documents they do not cover', async () => {
      await coll.createIndex({ email: 1 }, { unique: true, sparse: true });
      await coll.insertMany([{ _id: 10 }, { _id: 11 }] as Document[]);
      await coll.insertOne({ _id: 12, email: 'a@x' } as Document);
      expect((await coll.insertOne({ _id: 13, email: 'a@x' } as Document).catch((e) => e)).code).toBe(11000);
      await coll.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { active: true } });
      await coll.insertMany([
        { code: 'c', active: false },
        { code: 'c', active: false },
        { code: 'c', active: true },
      ]);
      expect((await coll.insertOne({ code: 'c', active: true }).catch((e) => e)).code).toBe(11000);
    });

    it('creating an existing index again is a no-op; a conflicting one fails', async () => {
      await coll.createIndex({ x: 1 }, { name: 'by_x' });
      await coll.createIndex({ x: 1 }, { name: 'by_x' });
      const err = await coll.createIndex({ y: 1 }, { name: 'by_x' }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect([85, 86]).toContain(err.code);
    });

    it('listCollections, create, drop, dropDatabase', async () => {
      const name = `made${n}`;
      await db.createCollection(name);
      const err = await db.createCollection(name).catch((e) => e);
      expect(err.code).toBe(48);
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(names).toContain(name);
      expect(await db.listCollections({ name }).toArray()).toHaveLength(1);
      // small batches make the driver page through the listCollections cursor with getMore
      const paged = (await db.listCollections({}, { nameOnly: true, batchSize: 2 }).toArray()).map((c) => c.name);
      expect(paged.sort()).toEqual([...names].sort());
      expect(await db.collection(name).drop()).toBe(true);
      expect((await db.listCollections({ name }).toArray()).length).toBe(0);
      const other = mongo.client.db(`${mongo.dbName}_drop`);
      await other.collection('a').insertOne({ a: 1 });
      const dbs = await mongo.client.db('admin').admin().listDatabases();
      expect(dbs.databases.map((d) => d.name)).toContain(`${mongo.dbName}_drop`);
      await other.dropDatabase();
      expect(await other.collection('a').countDocuments()).toBe(0);
    });

    it('an equality or range query on an indexed field does not scan the collection', async () => {
      const big = db.collection<any>(`big${n}`);
      await big.insertMany(Array.from({ length: 2000 }, (_, i) => ({ k: i, g: i % 10 })));
      await big.createIndex({ k: 1 });
      const eq = await big.find({ k: 1234 }).explain('executionStats');
      expect(eq.executionStats.nReturned).toBe(1);
      expect(eq.executionStats.totalDocsExamined).toBeLessThanOrEqual(1);
      const range = await big.find({ k: { $gte: 100, $lt: 110 } }).explain('executionStats');
      expect(range.executionStats.nReturned).toBe(10);
      expect(range.executionStats.totalDocsExamined).toBeLessThanOrEqual(10);
      const inQ = await big.find({ k: { $in: [5, 6, 7] }, g: 5 }).explain('executionStats');
      expect(inQ.executionStats.nReturned).toBe(1);
      expect(inQ.executionStats.totalDocsExamined).toBeLessThanOrEqual(3);
      const scan = await big.find({ g: 3 }).explain('executionStats');
      expect(scan.executionStats.totalDocsExamined).toBe(2000);
      // each branch of an $or served by an index
      const either = await big.find({ $or: [{ k: 7 }, { k: { $gte: 1990 } }] }).explain('executionStats');
      expect(either.executionStats.nReturned).toBe(11);
      expect(either.executionStats.totalDocsExamined).toBeLessThanOrEqual(11);
      // a compound index serves equality on its leading fields
      await big.createIndex({ g: 1, k: 1 });
      const both = await big.find({ g: 5, k: 1235 }).explain('executionStats');
      expect(both.executionStats.nReturned).toBe(1);
      expect(both.executionStats.totalDocsExamined).toBeLessThanOrEqual(1);
    });
  });

  describe('errors', () => {
    it('an unknown command gives 59 CommandNotFound', async () => {
      const err = await db.command({ noSuchCommandHere: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(59);
      expect(err.codeName).toBe('CommandNotFound');
    });

    it.runIf(target.kind === 'embedded')('a transaction gets a clear "not supported" error and writes nothing', async () => {
      const session = mongo.client.startSession();
      try {
        const err = await session
          .withTransaction(async () => {
            await coll.insertOne({ _id: 'tx' } as Document, { session });
          })
          .catch((e) => e);
        expect(err).toBeInstanceOf(MongoServerError);
        // driver 7 rewrites a write's IllegalOperation (20) into its "does not support retryable
        // writes" advice, as it does for a real standalone mongod; the server's own answer is kept
        const server = err.originalError ?? err;
        expect(server.code).toBe(20);
        expect(server.message ?? server.errmsg).toMatch(/not supported by the embedded server/);
      } finally {
        await session.endSession();
      }
      expect(await coll.findOne({ _id: 'tx' })).toBeNull();
    });

    it('ping, buildInfo and hello answer', async () => {
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      const info = await db.admin().buildInfo();
      expect(typeof info.version).toBe('string');
      expect(await db.admin().command({ hello: 1 })).toMatchObject({ ok: 1 });
    });
  });

  it('unique index holds when two connections upsert the same key at the same moment', async () => {
    const { MongoClient } = await import('mongodb');
    const c2 = new MongoClient(mongo.uri);
    await c2.connect();
    try {
      const a = db.collection<any>(`race${n}`);
      const b = c2.db(mongo.dbName).collection<any>(a.collectionName);
      await a.createIndex({ key: 1 }, { unique: true });
      const attempts = Array.from({ length: 40 }, (_, i) => {
        const which = i % 2 ? a : b;
        return which.updateOne({ key: `k${i % 4}` }, { $inc: { hits: 1 } }, { upsert: true }).catch((e) => e);
      });
      const results = await Promise.all(attempts);
      for (const r of results) if (r instanceof Error) expect((r as MongoServerError).code).toBe(11000);
      const docs = await a.find({ key: { $exists: true } }).toArray();
      expect(docs.length).toBe(4);
      expect(new Set(docs.map((d) => d.key)).size).toBe(4);
    } finally {
      await c2.close();
    }
  });
});
