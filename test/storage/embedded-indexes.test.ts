/**
 * The embedded server's indexes never change a query's answer: after random inserts, replacements
 * and removals of documents with values of mixed types (numbers, strings, dates, null, missing,
 * arrays, sub-documents), every equality, $in and range query answered through an index returns
 * exactly what a full scan with the matcher returns — and it examines fewer documents when selective.
 * The native sort used for find/findAndModify orders by BSON comparison of each document's sort key.
 */
import { describe, expect, it } from 'vitest';
import { sortDocs } from '../../src/storage/embedded/commands/context';
import { compileFilter } from '../../src/storage/embedded/matcher';
import { sortKey } from '../../src/storage/embedded/shape';
import { compareValues } from '../../src/storage/embedded/values';
import { Collection, type Doc } from '../../src/storage/embedded/collection';
import { Index, keyOf } from '../../src/storage/embedded/indexes';
import { seededRandom } from '../helpers/mongo';

describe('embedded indexes agree with a full scan', () => {
  it('for random data and random queries', () => {
    const rand = seededRandom(42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const scalar = (): unknown =>
      pick([
        () => Math.floor(rand() * 20),
        () => Math.floor(rand() * 20) + 0.5,
        () => `s${Math.floor(rand() * 20)}`,
        () => new Date(1_700_000_000_000 + Math.floor(rand() * 20) * 1000),
        () => null,
        () => rand() < 0.5,
      ])();
    const value = (): unknown => {
      const r = rand();
      if (r < 0.1) return undefined;
      if (r < 0.2) return [scalar(), scalar()];
      if (r < 0.25) return { n: scalar() };
      return scalar();
    };
    const makeDoc = (id: number): Doc => {
      const d: Doc = { _id: id };
      const a = value();
      const b = value();
      if (a !== undefined) d.a = a;
      if (b !== undefined) d.b = b;
      if (rand() < 0.3) d.sub = { c: scalar() };
      return d;
    };

    const coll = new Collection('db', 'c');
    coll.addIndex({ v: 2, key: { a: 1 }, name: 'a_1' });
    coll.addIndex({ v: 2, key: { b: -1, a: 1 }, name: 'b_a' });
    coll.addIndex({ v: 2, key: { 'sub.c': 1 }, name: 'subc' });
    coll.addIndex({ v: 2, key: { a: 1, b: 1 }, name: 'sparse_ab', sparse: true });
    coll.addIndex({ v: 2, key: { b: 1 }, name: 'partial_b', partialFilterExpression: { z: { $gt: 0.5 } } });

    let nextId = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rand();
      const docs = [...coll.docs.values()];
      if (r < 0.6 || docs.length === 0) coll.insert(makeDoc(nextId++));
      else if (r < 0.85) {
        // updates as the server makes them: a field no index holds (the indexes keep their entries and
        // swap the document), one indexed field, or everything
        const old = pick(docs);
        const k = rand();
        const next: Doc = k < 0.4 ? { ...old, z: rand() } : k < 0.6 ? { ...old, a: value() } : { ...makeDoc(0), _id: old._id };
        if (next.a === undefined) delete next.a;
        coll.replace(old, next);
      } else coll.remove(pick(docs));
    }
    expect(coll.docs.size).toBeGreaterThan(500);

    const fields = ['a', 'b', 'sub.c'];
    const queryOf = (): Doc => {
      const f = pick(fields);
      const r = rand();
      // compound prefixes: equality (or $in) on both fields of the (b, a) and (a, b) indexes
      if (rand() < 0.1) return { $or: [{ [f]: scalar() }, { [pick(fields)]: { $gt: scalar() } }] };
      if (rand() < 0.25)
        return { b: rand() < 0.7 ? scalar() : { $in: [scalar(), scalar()] }, a: rand() < 0.7 ? scalar() : { $in: [scalar(), scalar()] } };
      const v = scalar();
      if (r < 0.3) return { [f]: v };
      if (r < 0.45) return { [f]: { $in: [scalar(), scalar(), scalar()] } };
      if (r < 0.6) return { [f]: { $gt: v } };
      if (r < 0.7) return { [f]: { $lte: v } };
      if (r < 0.85) return { [f]: { $gte: v, $lt: scalar() } };
      return { $and: [{ [f]: { $eq: v } }, { [pick(fields)]: { $ne: scalar() } }] };
    };

    let narrowed = 0;
    let compound = 0;
    for (let i = 0; i < 600; i++) {
      const filter = queryOf();
      const plan = { docsExamined: 0, keysExamined: 0 } as { docsExamined: number; keysExamined: number; index?: string };
      const found = coll.match(filter, plan);
      // the current documents, never one an update replaced
      expect(
        found.every((d) => coll.docs.get(keyOf(d._id)) === d),
        JSON.stringify(filter),
      ).toBe(true);
      const viaIndex = found.map((d) => keyOf(d._id)).sort();
      const q = compileFilter(filter);
      const scan = [...coll.docs.values()]
        .filter((d) => q(d))
        .map((d) => keyOf(d._id))
        .sort();
      expect(viaIndex, JSON.stringify(filter)).toEqual(scan);
      if (plan.index && plan.docsExamined < coll.docs.size) narrowed++;
      if (plan.index === 'b_a' || plan.index === 'sparse_ab') compound++;
    }
    expect(narrowed).toBeGreaterThan(300);
    expect(compound).toBeGreaterThan(50);
    // every index holds exactly the documents it covers
    const partial = compileFilter({ z: { $gt: 0.5 } });
    const sizes = Object.fromEntries(coll.indexes.map((ix) => [ix.spec.name, ix.size]));
    expect(sizes.partial_b).toBe([...coll.docs.values()].filter((d) => partial(d)).length);
    expect(sizes.a_1).toBe(coll.docs.size);
  });

  it('the native sort orders documents by BSON comparison of their sort keys', () => {
    const rand = seededRandom(99);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const val = (): unknown =>
      pick([
        () => Math.floor(rand() * 5),
        () => `s${Math.floor(rand() * 5)}`,
        () => new Date(1_700_000_000_000 + Math.floor(rand() * 5) * 1000),
        () => null,
        () => undefined,
        () => rand() < 0.5,
        () => [Math.floor(rand() * 3), Math.floor(rand() * 3)],
        () => ({ n: Math.floor(rand() * 3) }),
      ])();
    for (let round = 0; round < 40; round++) {
      const docs: Doc[] = Array.from({ length: 60 }, (_, i) => {
        const d: Doc = { _id: i };
        for (const f of ['a', 'b']) {
          // some rounds use one type per field (the natively compared columns)
          const v =
            round % 3 === 0
              ? Math.floor(rand() * 5)
              : round % 3 === 1
                ? new Date(1_700_000_000_000 + Math.floor(rand() * 5) * 1000)
                : val();
          if (v !== undefined) d[f] = v;
        }
        if (rand() < 0.5) d.sub = { c: val() };
        return d;
      });
      const sort = pick([{ a: 1 }, { a: -1 }, { a: 1, b: -1 }, { b: -1, a: 1 }, { 'sub.c': 1 }, { 'sub.c': -1, _id: -1 }]);
      // Every neighbour pair is in order by BSON comparison of their sort keys (missing sorts as
      // null, an array by its smallest element ascending and largest descending, as in MongoDB);
      // ties may come out in either order, which MongoDB does not define either.
      const ours = sortDocs(docs, sort);
      const entries = Object.entries(sort);
      for (let i = 1; i < ours.length; i++) {
        let c = 0;
        for (const [p, dir] of entries) {
          const parts = p.split('.');
          c = compareValues(sortKey(ours[i - 1], parts, dir as number), sortKey(ours[i], parts, dir as number)) * (dir as number);
          if (c !== 0) break;
        }
        expect(c, `${JSON.stringify(sort)} at ${i}`).toBeLessThanOrEqual(0);
      }
      expect(ours.map((d) => d._id).sort()).toEqual(docs.map((d) => d._id).sort());
    }
  });

  it('unique checks see every multikey element and ignore the document itself', () => {
    const ix = new Index({ v: 2, key: { tags: 1 }, name: 'tags_1', unique: true });
    const a = { _id: 1, tags: ['x', 'y', 'x'] };
    ix.check('db.c', a);
    ix.add(a);
    expect(() => ix.check('db.c', { _id: 2, tags: ['z', 'y'] })).toThrow(/E11000/);
    expect(() => ix.check('db.c', { _id: 1, tags: ['y'] }, a)).not.toThrow();
    ix.remove(a);
    expect(() => ix.check('db.c', { _id: 2, tags: ['y'] })).not.toThrow();
  });
});
