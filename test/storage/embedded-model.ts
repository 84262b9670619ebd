/**
 * Model-based randomized testing of the embedded server's storage engine: random sequences of
 * insert, update (every update operator, multi/single, upsert, positional and array filters),
 * delete, findAndModify and find/count/aggregate over random documents, run through the server's
 * command layer (with a BSON round trip, as on the wire) and checked after every step against a
 * reference that is deliberately simple: an array of documents, scanned in full for every
 * operation, with no indexes. The reference decides what a filter matches and what an update does
 * with the same pure functions the server uses (matcher.ts, update.ts, shape.ts — whose rules
 * embedded-semantics.test.ts checks against MongoDB's); what is under test here is everything
 * around them: index maintenance and lookups, candidate selection, uniqueness, multi-document
 * updates (each matched document once, each all-or-nothing), upserts and deletes.
 * After every step each index must equal one freshly built from the stored documents (no entry
 * without its document, no document missing, no stale copy of a replaced document).
 */
import { BSON, Decimal128, Long, ObjectId, type Document } from 'bson';
import { Catalog } from '../../src/storage/embedded/catalog';
import { CursorRegistry } from '../../src/storage/embedded/cursor';
import { runCommand, type Ctx } from '../../src/storage/embedded/commands/index';
import { sameDoc, sortDocs } from '../../src/storage/embedded/commands/context';
import { Index, keyOf, type Doc } from '../../src/storage/embedded/indexes';
import { compileFilter } from '../../src/storage/embedded/matcher';
import { compileUpdate } from '../../src/storage/embedded/update';
import { valuesEqual } from '../../src/storage/embedded/values';
import { seededRandom } from '../helpers/mongo';

const wire = <T extends Document>(d: T): T => BSON.deserialize(BSON.serialize(d), { validation: { utf8: false } }) as T;

const INDEXES: Document[] = [
  { key: { a: 1 }, name: 'a_1' },
  { key: { b: -1 }, name: 'b_-1' },
  { key: { 'n.x': 1 }, name: 'nx_1' },
  { key: { a: 1, b: 1 }, name: 'a_b' },
  { key: { 'arr.y': 1, a: -1 }, name: 'arry_a' },
  { key: { tags: 1 }, name: 'tags_1' },
  { key: { u: 1 }, name: 'u_unique', unique: true, sparse: true },
  { key: { b: 1 }, name: 'b_partial', partialFilterExpression: { a: { $gt: 5 } } },
];

export interface ModelResult {
  steps: number;
  counts: Record<string, number>;
}

/** Runs `steps` random operations from `seed`; throws (naming the seed and step) on the first disagreement. */
export function runModel(seed: number, steps: number): ModelResult {
  const rand = seededRandom(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => rand() < p;

  const OIDS = [
    new ObjectId('650000000000000000000001'),
    new ObjectId('650000000000000000000002'),
    new ObjectId('650000000000000000000003'),
  ];
  const scalar = (): unknown =>
    pick([
      () => int(10),
      () => int(10) + 0.5,
      () => -int(3),
      () => Long.fromString(pick(['9007199254740993', '-9007199254740995', '4611686018427387904'])),
      () => Decimal128.fromString(pick(['5', '2.5', '-1'])),
      () => `s${int(5)}`,
      () => new Date(1_700_000_000_000 + int(5) * 1000),
      () => pick(OIDS),
      () => chance(0.5),
      () => null,
    ])();
  const value = (): unknown => {
    const r = rand();
    if (r < 0.1) return undefined;
    if (r < 0.25) return Array.from({ length: int(4) }, scalar);
    if (r < 0.32) return { x: scalar(), y: scalar() };
    return scalar();
  };
  const makeDoc = (id: number): Doc => {
    const d: Doc = { _id: id };
    const set = (k: string, v: unknown) => {
      if (v !== undefined) d[k] = v;
    };
    set('a', value());
    set('b', value());
    if (chance(0.7)) d.n = chance(0.7) ? { x: scalar() } : [{ x: scalar() }, { x: scalar() }];
    if (chance(0.5)) d.u = int(40);
    if (chance(0.5)) d.arr = Array.from({ length: 1 + int(3) }, () => ({ y: scalar(), z: int(3) }));
    if (chance(0.5)) d.tags = Array.from({ length: int(4) }, () => `t${int(5)}`);
    if (chance(0.3)) d.cnt = int(5);
    return d;
  };

  // --- random filters ---------------------------------------------------------------------------
  const PATHS = ['a', 'b', 'n.x', 'u', 'arr.y', 'arr.z', 'tags', 'cnt', '_id'];
  const condition = (): unknown => {
    const v = scalar();
    return pick([
      () => v,
      () => ({ $eq: v }),
      () => ({ $ne: v }),
      () => ({ $gt: v }),
      () => ({ $gte: v }),
      () => ({ $lt: v }),
      () => ({ $lte: v }),
      () => ({ $gte: int(5), $lt: 5 + int(5) }),
      () => ({ $in: [v, scalar(), v] }),
      () => ({ $nin: [v, scalar()] }),
      () => ({ $exists: chance(0.5) }),
      () => ({ $type: pick(['number', 'string', 'array', 'null', 'long', 'decimal', 'date', 'objectId', 'bool', 'object']) }),
      () => ({ $size: int(3) }),
      () => ({ $elemMatch: { $gte: v } }),
      () => ({ $all: [v] }),
      () => ({ $not: { $gt: v } }),
      () => ({ $regex: '^s[0-2]' }),
      () => null,
    ])();
  };
  const filter = (): Document => {
    const r = rand();
    if (r < 0.1) return {};
    if (r < 0.25) {
      const id = int(60);
      return { _id: chance(0.5) ? id : { $in: [id, id, int(60)] } };
    }
    if (r < 0.35) return { $or: [{ [pick(PATHS)]: condition() }, { [pick(PATHS)]: condition() }] };
    if (r < 0.45) return { [pick(PATHS)]: condition(), [pick(PATHS)]: condition() };
    if (r < 0.5) return { arr: { $elemMatch: { y: { $gte: int(10) }, z: int(3) } } };
    return { [pick(PATHS)]: condition() };
  };

  // --- random updates -----------------------------------------------------------------------------
  const FIELDS = ['a', 'b', 'n.x', 'cnt', 'arr', 'tags', 'extra', 'n.deep.w'];
  const operator = (): [string, Document] => {
    const f = pick(FIELDS);
    const num = () => pick([1, -2, 0.5, 3, Long.fromString('9007199254740993')]);
    switch (int(17)) {
      case 0:
        return ['$set', { [f]: value() ?? null }];
      case 1:
        return ['$unset', { [f]: '' }];
      case 2:
        return ['$inc', { [pick(['cnt', 'a', 'n.x', 'extra'])]: chance(0.9) ? num() : 'one' }];
      case 3:
        return ['$mul', { [pick(['cnt', 'a', 'b'])]: num() }];
      case 4:
        return [pick(['$min', '$max']), { [pick(['cnt', 'a', 'b', 'n.x'])]: scalar() }];
      case 5:
        return ['$rename', { [pick(['a', 'b', 'extra', 'cnt'])]: pick(['renamed', 'n.moved']) }];
      case 6:
        return ['$currentDate', { [pick(['touched', 'n.when'])]: true }];
      case 7:
        return [
          '$push',
          {
            [pick(['tags', 'a', 'arr'])]: chance(0.5)
              ? `t${int(5)}`
              : {
                  $each: [`t${int(5)}`, `t${int(5)}`],
                  $slice: pick([-3, 2, 5]),
                  ...(chance(0.5) ? { $sort: pick([1, -1]) } : { $position: int(3) }),
                },
          },
        ];
      case 8:
        return ['$addToSet', { [pick(['tags', 'b'])]: chance(0.5) ? `t${int(5)}` : { $each: [`t${int(5)}`, `t${int(5)}`] } }];
      case 9:
        return ['$pop', { [pick(['tags', 'arr', 'a'])]: pick([1, -1]) }];
      case 10:
        return ['$pull', { [pick(['tags', 'a', 'arr'])]: pick([`t${int(5)}`, { $in: ['t1', 't2'] }, { y: { $gte: 3 } }, scalar()]) }];
      case 11:
        return ['$pullAll', { [pick(['tags', 'b'])]: [`t${int(5)}`, scalar()] }];
      case 12:
        return ['$bit', { [pick(['cnt', 'a'])]: { [pick(['and', 'or', 'xor'])]: int(8) } }];
      case 13:
        return ['$set', { 'arr.$[].z': int(3) }];
      case 14:
        return ['$inc', { 'arr.$[e].z': 1 }];
      case 15:
        return ['$set', { u: int(40) }];
      default:
        return [pick(['$unset', '$inc']), { u: chance(0.5) ? 1 : '' }];
    }
  };
  const update = (): { u: Document; arrayFilters?: Document[] } => {
    const u: Document = {};
    for (let i = 0, k = 1 + int(3); i < k; i++) {
      const [op, spec] = operator();
      u[op] = { ...(u[op] ?? {}), ...spec };
    }
    const usesE = JSON.stringify(u).includes('$[e]');
    if (u.$inc?.u === '') u.$inc.u = 1;
    return { u, arrayFilters: usesE ? [{ 'e.z': { $gte: int(3) } }] : undefined };
  };

  // --- the server and the reference ---------------------------------------------------------------
  const catalog = new Catalog();
  const ctx: Ctx = {
    db: 'model',
    catalog,
    cursors: new CursorRegistry(),
    connectionId: 1,
    server: { startedAt: new Date(0), port: 0, dataDir: null },
  };
  const run = (cmd: Document): Document => wire(runCommand(wire({ ...cmd }), ctx));
  const created = run({ createIndexes: 'c', indexes: INDEXES });
  if (created.ok !== 1) throw new Error(`createIndexes failed: ${JSON.stringify(created)}`);
  const coll = catalog.get('model', 'c')!;
  let ref: Doc[] = [];
  const counts: Record<string, number> = {};
  let step = 0;
  let what = '';

  const fail = (msg: string, extra?: unknown): never => {
    throw new Error(
      `embedded model disagreed (seed ${seed}, step ${step}, ${what}): ${msg}${extra === undefined ? '' : `\n${BSON.EJSON.stringify(extra as Document, undefined, 1, { relaxed: true })}`}`,
    );
  };
  const uniqueOk = (docs: Doc[]) => {
    const seen = new Set<string>();
    for (const d of docs) {
      if (d.u === undefined) continue;
      const k = keyOf(d.u);
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  };
  const byId = (docs: Doc[]) => new Map(docs.map((d) => [keyOf(d._id), d]));
  const ids = (docs: Doc[]) => docs.map((d) => keyOf(d._id)).sort();

  /** The server's documents must equal the reference's, and each index one built afresh. */
  const check = () => {
    const stored = [...coll.docs.values()];
    if (stored.length !== ref.length) fail(`stored ${stored.length} documents, reference ${ref.length}`);
    const r = byId(ref);
    for (const d of stored) {
      const e = r.get(keyOf(d._id));
      if (!e || !sameDoc(d, e)) fail('a stored document differs from the reference', { stored: d, reference: e ?? null });
    }
    const current = new Set(stored);
    for (const ix of coll.indexes) {
      const fresh = new Index(ix.spec);
      for (const d of stored) fresh.add(d);
      const live = ix.dump();
      const want = fresh.dump();
      for (const d of live.docs)
        if (!current.has(d)) fail(`index ${ix.spec.name} holds a document that is not stored (a stale copy or a deleted one)`, d);
      if (live.size !== want.size) fail(`index ${ix.spec.name} counts ${live.size} documents, should be ${want.size}`);
      const lk = Object.keys(live.keys).sort();
      const wk = Object.keys(want.keys).sort();
      if (lk.join('|') !== wk.join('|'))
        fail(`index ${ix.spec.name} keys differ`, { extra: lk.filter((k) => !want.keys[k]), missing: wk.filter((k) => !live.keys[k]) });
      for (const k of lk)
        if (live.keys[k].join('|') !== want.keys[k].join('|'))
          fail(`index ${ix.spec.name} key ${k} lists ${live.keys[k]} instead of ${want.keys[k]}`);
      if ([...live.ordered].sort().join('|') !== [...want.ordered].sort().join('|')) fail(`index ${ix.spec.name}: range list differs`);
    }
  };

  const matchRef = (f: Document): Doc[] => {
    const p = compileFilter(wire(f));
    return ref.filter((d) => p(d));
  };

  const errCode = (fn: () => unknown): number | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return (e as { code?: number }).code ?? -1;
    }
  };

  const ops = {
    insert() {
      const docs = Array.from({ length: 1 + int(3) }, () => makeDoc(int(60)));
      const ordered = chance(0.7);
      const reply = run({ insert: 'c', documents: docs, ordered });
      const wdocs = docs.map((d) => wire(d));
      const errors: [number, number][] = [];
      let n = 0;
      for (let i = 0; i < wdocs.length; i++) {
        const d = wdocs[i];
        const dupId = ref.some((x) => valuesEqual(x._id, d._id));
        const dupU = d.u !== undefined && ref.some((x) => x.u !== undefined && valuesEqual(x.u, d.u));
        if (dupId || dupU) {
          errors.push([i, 11000]);
          if (ordered) break;
          continue;
        }
        ref.push(d);
        n++;
      }
      const got = ((reply.writeErrors as Document[]) ?? []).map((e) => [e.index, e.code]);
      if (reply.n !== n || JSON.stringify(got) !== JSON.stringify(errors)) fail('insert reply', { reply, expected: { n, errors } });
    },

    update() {
      const multi = chance(0.5);
      const upsert = chance(0.15);
      const f = upsert ? { _id: int(60) } : filter();
      const replacement = !multi && chance(0.1);
      const { u, arrayFilters } = replacement
        ? { u: { a: value() ?? null, b: scalar(), u: chance(0.3) ? int(40) : undefined } as Document, arrayFilters: undefined }
        : update();
      if (u.u === undefined) delete u.u;
      const stmt: Document = { q: f, u, multi, upsert };
      if (arrayFilters) stmt.arrayFilters = arrayFilters;
      what = `update ${BSON.EJSON.stringify(stmt, { relaxed: true })}`;
      const reply = run({ update: 'c', updates: [stmt] });
      const werr = (reply.writeErrors as Document[] | undefined)?.[0];
      const wu = wire(u);
      const matched = matchRef(f);
      // what the update would make of each matched document (or the code it fails with)
      let compiled: ReturnType<typeof compileUpdate> | undefined;
      const parseCode = replacement
        ? undefined
        : errCode(() => (compiled = compileUpdate(wu, arrayFilters ? wire({ a: arrayFilters }).a : undefined)));
      if (parseCode !== undefined) {
        if (!werr || werr.code !== parseCode) fail(`expected error ${parseCode}`, reply);
        return;
      }
      const qp = compileFilter(wire(f));
      const outcome = (d: Doc, inserting = false): Doc | number => {
        if (replacement) {
          const next: Doc = { _id: d._id };
          for (const [k, v] of Object.entries(wu)) if (k !== '_id') next[k] = v;
          return next;
        }
        try {
          const next = compiled!.apply(d, { inserting, query: wire(f), queryPred: qp });
          return Object.keys(next)[0] === '_id' ? next : { _id: next._id, ...next };
        } catch (e) {
          return (e as { code: number }).code;
        }
      };
      if (matched.length === 0) {
        if (!upsert) {
          if (werr || reply.n !== 0) fail('update of nothing', reply);
          return;
        }
        const o = outcome(wire({ _id: f._id }), true);
        if (typeof o === 'number') {
          if (!werr || werr.code !== o) fail(`upsert: expected error ${o}`, reply);
          return;
        }
        if (!uniqueOk([...ref, o])) {
          if (werr?.code !== 11000) fail('upsert: expected a duplicate key error', reply);
          return;
        }
        if (werr || reply.n !== 1 || !reply.upserted) fail('upsert reply', reply);
        ref.push(o);
        return;
      }
      const stored = byId([...coll.docs.values()]);
      const targets = multi ? matched : matched;
      let changed = 0;
      let updated = 0;
      const next: Doc[] = [];
      const codes = new Set<number>();
      for (const d of ref) {
        const s = stored.get(keyOf(d._id))!;
        const isTarget = targets.includes(d);
        if (!isTarget) {
          if (!sameDoc(s, d)) fail('a document the filter does not match changed', { before: d, after: s });
          next.push(s);
          continue;
        }
        const o = outcome(d);
        if (typeof o === 'number') codes.add(o);
        const post = typeof o === 'number' ? undefined : o;
        if (sameDoc(s, d)) {
          next.push(s);
          if (post && sameDoc(post, d)) updated++;
          continue;
        }
        if (!post || !sameDoc(s, post))
          fail('an updated document is not the update applied once to its old version', { before: d, after: s, expected: post ?? o });
        changed++;
        updated++;
        next.push(s);
      }
      if (!uniqueOk(next)) fail('the unique index let a duplicate in');
      if (!multi && changed > 1) fail('a single update changed several documents');
      if (werr) {
        if (werr.code !== 11000 && !codes.has(werr.code as number))
          fail(`error ${werr.code} is not one the update raises on a matched document`, reply);
        if (!multi && changed > 0) fail('a failed single update changed a document');
      } else {
        if (codes.size > 0 && multi) fail(`expected one of the errors ${[...codes]}`, reply);
        if (multi && (reply.n !== matched.length || reply.nModified !== changed))
          fail(`multi update reply should be n=${matched.length} nModified=${changed}`, reply);
        if (!multi && (reply.n !== 1 || reply.nModified !== changed)) fail('single update reply', reply);
      }
      ref = next;
      void updated;
    },

    delete() {
      const f = filter();
      const limit = chance(0.4) ? 1 : 0;
      what = `delete ${BSON.EJSON.stringify({ f, limit }, { relaxed: true })}`;
      const reply = run({ delete: 'c', deletes: [{ q: f, limit }] });
      const matched = matchRef(f);
      const want = limit ? Math.min(1, matched.length) : matched.length;
      if (reply.n !== want) fail(`deleted ${reply.n}, expected ${want}`, reply);
      const left = new Set(coll.docs.keys());
      const gone = ref.filter((d) => !left.has(keyOf(d._id)));
      if (gone.some((d) => !matched.includes(d))) fail('deleted a document the filter does not match');
      ref = ref.filter((d) => left.has(keyOf(d._id)));
    },

    findAndModify() {
      const f = filter();
      const remove = chance(0.25);
      const { u, arrayFilters } = update();
      const sort = { _id: pick([1, -1]) };
      const cmd: Document = { findAndModify: 'c', query: f, sort, new: chance(0.5) };
      if (remove) cmd.remove = true;
      else {
        cmd.update = u;
        if (arrayFilters) cmd.arrayFilters = arrayFilters;
      }
      what = `findAndModify ${BSON.EJSON.stringify(cmd, { relaxed: true })}`;
      const reply = run(cmd);
      const target = sortDocs(matchRef(f), sort)[0];
      if (!target) {
        if (reply.ok !== 1 && !remove) {
          // a malformed update is refused even when nothing matches
          if (errCode(() => compileUpdate(wire(u), arrayFilters ? wire({ a: arrayFilters }).a : undefined)) !== reply.code)
            fail('findAndModify error', reply);
          return;
        }
        if (reply.value !== null) fail('findAndModify found something the reference does not', reply);
        return;
      }
      if (remove) {
        if (!reply.value || keyOf((reply.value as Doc)._id) !== keyOf(target._id)) fail('findAndModify removed another document', reply);
        ref = ref.filter((d) => d !== target);
        return;
      }
      let post: Doc | number;
      try {
        post = compileUpdate(wire(u), arrayFilters ? wire({ a: arrayFilters }).a : undefined).apply(target, {
          inserting: false,
          query: wire(f),
          queryPred: compileFilter(wire(f)),
        });
        post = Object.keys(post)[0] === '_id' ? post : { _id: post._id, ...post };
      } catch (e) {
        post = (e as { code: number }).code;
      }
      if (typeof post === 'number') {
        if (reply.ok !== 0 || reply.code !== post) fail(`findAndModify should fail with ${post}`, reply);
        return;
      }
      const others = ref.filter((d) => d !== target);
      if (!uniqueOk([...others, post])) {
        if (reply.code !== 11000) fail('findAndModify should fail with 11000', reply);
        return;
      }
      if (reply.ok !== 1) fail('findAndModify failed', reply);
      const shown = cmd.new ? post : target;
      if (!sameDoc(wire({ v: reply.value }).v, wire({ v: shown }).v))
        fail('findAndModify returned another version', { reply: reply.value, expected: shown });
      ref = ref.map((d) => (d === target ? post : d)) as Doc[];
    },

    find() {
      const f = filter();
      const sorted = chance(0.5);
      const sort: Document | undefined = sorted ? { [pick(['a', 'b', 'n.x', 'arr.y', 'tags', 'cnt'])]: pick([1, -1]), _id: 1 } : undefined;
      what = `find ${BSON.EJSON.stringify({ f, sort }, { relaxed: true })}`;
      const reply = run({ find: 'c', filter: f, sort, batchSize: 10_000 });
      const expected = matchRef(f);
      if (reply.ok !== 1) fail('find failed', reply);
      const got = (reply.cursor as Document).firstBatch as Doc[];
      if (sort) {
        const want = sortDocs(expected, sort);
        if (got.map((d) => keyOf(d._id)).join('|') !== want.map((d) => keyOf(d._id)).join('|'))
          fail('sorted find order', { got: got.map((d) => d._id), want: want.map((d) => d._id) });
      } else if (ids(got).join('|') !== ids(expected).join('|')) fail('find result', { got: ids(got), want: ids(expected) });
      const count = run({ count: 'c', query: f });
      if (count.n !== expected.length) fail(`count ${count.n}, expected ${expected.length}`);
      const agg = run({ aggregate: 'c', pipeline: [{ $match: f }, { $group: { _id: null, n: { $sum: 1 } } }], cursor: {} });
      const n = ((agg.cursor as Document).firstBatch as Doc[])[0]?.n ?? 0;
      if (n !== expected.length) fail(`aggregate counted ${n}, expected ${expected.length}`);
    },
  };

  const weights: [keyof typeof ops, number][] = [
    ['insert', 0.22],
    ['update', 0.34],
    ['delete', 0.1],
    ['findAndModify', 0.12],
    ['find', 0.22],
  ];
  for (step = 0; step < steps; step++) {
    let r = rand();
    let op: keyof typeof ops = 'find';
    for (const [name, w] of weights) {
      if (r < w) {
        op = name;
        break;
      }
      r -= w;
    }
    what = op;
    ops[op]();
    counts[op] = (counts[op] ?? 0) + 1;
    check();
  }
  return { steps, counts };
}
