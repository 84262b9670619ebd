/**
 * One collection: its documents (by _id, in insertion order) and its indexes, the query planner that
 * picks an index to narrow the candidates, and the primitive mutations (insert, replace, remove)
 * that keep every index consistent and enforce unique constraints before changing anything.
 */
import { randomUUID } from 'node:crypto';
import { EJSON, ObjectId, UUID, type Document } from 'bson';
import { CommandError, DuplicateKeyError } from './errors';
import { Index, keyOf, type Doc, type IndexSpec } from './indexes';
import { compileFilter, MINGO_OPTS } from './matcher';

export type { Doc };

/** What the durability layer is told about each change. */
export type WriteOp = { t: 'put'; db: string; c: string; d: Doc } | { t: 'del'; db: string; c: string; id: unknown };

export interface PlanInfo {
  /** Index used to narrow the candidates, or undefined for a collection scan. */
  index?: string;
  docsExamined: number;
  keysExamined: number;
  /** The candidates are exactly the matches (pure equality answered by an index): no re-check. */
  exact?: boolean;
}

function isExactValue(v: unknown): boolean {
  return v !== null && isScalarForIndex(v);
}

/**
 * The fields of a filter made only of equalities ({f: v}, {f: {$eq: v}}, {f: {$in: [...]}}) on
 * non-null scalars — which an index answers exactly — or undefined for any other filter.
 */
function exactEqualityFields(filter: Document): string[] | undefined {
  const fields = Object.keys(filter);
  if (fields.length === 0) return undefined;
  for (const f of fields) {
    if (f.startsWith('$')) return undefined;
    const c = filter[f];
    if (isExactValue(c)) continue;
    if (!c || typeof c !== 'object' || Array.isArray(c) || c instanceof Date) return undefined;
    const ops = Object.keys(c);
    if (ops.length !== 1) return undefined;
    if (ops[0] === '$eq' && isExactValue((c as Document).$eq)) continue;
    if (ops[0] === '$in' && Array.isArray((c as Document).$in) && (c as Document).$in.length > 0 && (c as Document).$in.every(isExactValue))
      continue;
    return undefined;
  }
  return fields;
}

const ID_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** mingo options (for what is still delegated to it: aggregation expressions, $expr, pipeline updates). */
export const QUERY_OPTS = MINGO_OPTS;

/** A compiled filter. */
export interface CompiledQuery {
  test(doc: Doc): boolean;
}

/**
 * Compiled filters by the filter's canonical Extended JSON (exact types and values, field order).
 * Compiling costs more than testing a handful of documents, and apps repeat filters.
 */
const queryCache = new Map<string, CompiledQuery>();
const QUERY_CACHE_MAX = 1000;

export function compileQuery(filter: Document, vars?: Document): CompiledQuery {
  const make = (): CompiledQuery => ({ test: compileFilter(filter, { vars }) });
  let key: string;
  try {
    key = EJSON.stringify(filter, { relaxed: false }) + (vars ? `|${EJSON.stringify(vars, { relaxed: false })}` : '');
  } catch {
    return make();
  }
  let q = queryCache.get(key);
  if (q) return q;
  q = make();
  // $$NOW and friends are fixed when a query is compiled: never reuse those.
  if (key.length < 4096 && !key.includes('$$')) {
    if (queryCache.size >= QUERY_CACHE_MAX) queryCache.delete(queryCache.keys().next().value as string);
    queryCache.set(key, q);
  }
  return q;
}

export function isScalarForIndex(v: unknown): boolean {
  if (v === null) return true;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  if (v instanceof Date) return true;
  return (v as { _bsontype?: string })?._bsontype === 'ObjectId';
}

interface FieldPred {
  eq?: unknown[];
  lower?: { v: unknown; inclusive: boolean };
  upper?: { v: unknown; inclusive: boolean };
}

/** Indexable predicates of a filter: top-level (and $and-nested) equality, $in and range clauses. */
function predicates(filter: Document, out = new Map<string, FieldPred>()): Map<string, FieldPred> {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (sub && typeof sub === 'object') predicates(sub as Document, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const p = out.get(field) ?? {};
    if (isScalarForIndex(cond)) {
      p.eq = [cond];
    } else if (cond && typeof cond === 'object' && !Array.isArray(cond) && !(cond instanceof RegExp)) {
      const ops = Object.keys(cond);
      if (ops.length === 0 || !ops.every((k) => k.startsWith('$'))) continue;
      const c = cond as Document;
      if ('$eq' in c && isScalarForIndex(c.$eq)) p.eq = [c.$eq];
      if ('$in' in c && Array.isArray(c.$in) && c.$in.every(isScalarForIndex)) p.eq = c.$in;
      if ('$gt' in c && isScalarForIndex(c.$gt)) p.lower = { v: c.$gt, inclusive: false };
      if ('$gte' in c && isScalarForIndex(c.$gte)) p.lower = { v: c.$gte, inclusive: true };
      if ('$lt' in c && isScalarForIndex(c.$lt)) p.upper = { v: c.$lt, inclusive: false };
      if ('$lte' in c && isScalarForIndex(c.$lte)) p.upper = { v: c.$lte, inclusive: true };
    } else continue;
    out.set(field, p);
  }
  return out;
}

interface IndexPlan {
  ix: Index;
  cost: number;
  covered: string[];
  run: (stats: { keys: number }) => Set<Doc> | undefined;
}

export class Collection {
  readonly db: string;
  readonly name: string;
  readonly uuid: UUID;
  options: Document;
  readonly docs = new Map<string, Doc>();
  /** Secondary indexes (the _id index is `docs` itself). */
  readonly indexes: Index[] = [];
  onWrite: (op: WriteOp) => void = () => {};

  constructor(db: string, name: string, options: Document = {}, uuid?: UUID) {
    this.db = db;
    this.name = name;
    this.options = options;
    this.uuid = uuid ?? new UUID(randomUUID());
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  indexSpecs(): IndexSpec[] {
    return [ID_SPEC, ...this.indexes.map((i) => i.spec)];
  }

  // --- mutations (all synchronous; each either fully applies or throws having changed nothing) ----

  /** Adds a new document; throws DuplicateKeyError. The document object is owned by the collection. */
  insert(doc: Doc, log = true): void {
    if (doc._id === undefined || Object.keys(doc)[0] !== '_id') {
      // MongoDB stores _id as the first field, generating one when the client sent none.
      const withId: Doc = { _id: doc._id === undefined ? new ObjectId() : doc._id };
      for (const k of Object.keys(doc)) if (k !== '_id') withId[k] = doc[k];
      doc = withId;
    }
    if (Array.isArray(doc._id)) throw new CommandError('InvalidIdField', "The '_id' value cannot be of type array");
    const id = keyOf(doc._id);
    if (this.docs.has(id)) throw this.idDup(doc._id);
    for (const ix of this.indexes) ix.check(this.ns, doc);
    this.docs.set(id, doc);
    for (const ix of this.indexes) ix.add(doc);
    if (log) this.onWrite({ t: 'put', db: this.db, c: this.name, d: doc });
  }

  /** Replaces `old` by `next` (same _id); throws DuplicateKeyError or ImmutableField. */
  replace(old: Doc, next: Doc): void {
    // Only the stored version may be replaced: replacing a stale copy would leave its successor's
    // index entries behind (the repeated-$in double update did exactly that).
    if (this.docs.get(keyOf(old._id)) !== old)
      throw new CommandError('InternalError', `document ${String(old._id)} changed during this update`);
    if (keyOf(old._id) !== keyOf(next._id)) {
      throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    // an index whose entries the update leaves alone only swaps references (most updates touch one
    // or two of a collection's indexes)
    const same = this.indexes.map((ix) => ix.sameEntries(old, next));
    for (const [i, ix] of this.indexes.entries()) if (!same[i]) ix.check(this.ns, next, old);
    this.indexes.forEach((ix, i) => {
      if (same[i]) ix.swap(old, next);
      else {
        ix.remove(old);
        ix.add(next);
      }
    });
    this.docs.set(keyOf(next._id), next);
    this.onWrite({ t: 'put', db: this.db, c: this.name, d: next });
  }

  remove(doc: Doc): void {
    const id = keyOf(doc._id);
    if (this.docs.get(id) !== doc) return;
    this.docs.delete(id);
    for (const ix of this.indexes) ix.remove(doc);
    this.onWrite({ t: 'del', db: this.db, c: this.name, id: doc._id });
  }

  /** Applies a logged put during recovery (insert or overwrite, no constraint checks). */
  recoverPut(doc: Doc): void {
    const id = keyOf(doc._id);
    const old = this.docs.get(id);
    if (old) for (const ix of this.indexes) ix.remove(old);
    this.docs.set(id, doc);
    for (const ix of this.indexes) ix.add(doc);
  }

  recoverDel(idValue: unknown): void {
    const id = keyOf(idValue);
    const old = this.docs.get(id);
    if (!old) return;
    this.docs.delete(id);
    for (const ix of this.indexes) ix.remove(old);
  }

  private idDup(id: unknown): DuplicateKeyError {
    return new DuplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: id });
  }

  addIndex(spec: IndexSpec): void {
    const ix = new Index(spec);
    for (const d of this.docs.values()) {
      ix.check(this.ns, d);
      ix.add(d);
    }
    this.indexes.push(ix);
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.spec.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
  }

  // --- queries ----------------------------------------------------------------------------------

  /** Candidate documents for a filter, narrowed by the most selective usable index. */
  candidates(filter: Document, plan: PlanInfo): Iterable<Doc> {
    return this.indexed(filter, plan) ?? this.orUnion(filter, plan) ?? this.docs.values();
  }

  /** For a filter whose only narrowing is a top-level $or: the union of each branch's index lookup. */
  private orUnion(filter: Document, plan: PlanInfo): Iterable<Doc> | undefined {
    const branches = filter.$or;
    if (!Array.isArray(branches) || branches.length === 0 || branches.length > 64) return undefined;
    const sub: PlanInfo = { docsExamined: 0, keysExamined: 0 };
    const out = new Set<Doc>();
    const used = new Set<string>();
    for (const b of branches) {
      if (!b || typeof b !== 'object') return undefined;
      const found = this.indexed(b as Document, sub);
      if (!found) return undefined;
      if (sub.index) used.add(sub.index);
      for (const d of found) out.add(d);
    }
    plan.index = [...used].join(',');
    plan.keysExamined += sub.keysExamined;
    return out;
  }

  /** Candidates from the most selective usable index, or undefined when only a scan will do. */
  private indexed(filter: Document, plan: PlanInfo): Iterable<Doc> | undefined {
    const preds = predicates(filter);
    if (preds.size === 0) return undefined;
    const exactFields = exactEqualityFields(filter);
    const idp = preds.get('_id');
    if (idp?.eq) {
      plan.index = '_id_';
      plan.exact = exactFields?.length === 1 && exactFields[0] === '_id';
      // a value repeated in $in names its document once
      const out = new Set<Doc>();
      for (const v of idp.eq) {
        plan.keysExamined++;
        const d = this.docs.get(keyOf(v));
        if (d) out.add(d);
      }
      return out;
    }
    const best = this.bestIndex(preds);
    if (!best) return undefined;
    const stats = { keys: 0 };
    const found = best.run(stats);
    if (!found) return undefined;
    plan.index = best.ix.spec.name;
    plan.keysExamined += stats.keys;
    plan.exact = !!exactFields && exactFields.every((f) => best!.covered.includes(f));
    return found;
  }

  /** The secondary index whose lookup yields the fewest candidates for these predicates. */
  private bestIndex(preds: Map<string, FieldPred>): IndexPlan | undefined {
    let best: IndexPlan | undefined;
    for (const ix of this.indexes) {
      // numeric path parts ('a.0') both index arrays and name fields: only a scan gets them right
      if (ix.isPartial || ix.hasNumericPart) continue;
      const p = preds.get(ix.fields[0]);
      if (!p) continue;
      // The longest prefix of the index's fields that the filter pins to equality values.
      const lists: unknown[][] = [];
      for (const f of ix.fields) {
        const q = preds.get(f);
        if (!q?.eq) break;
        lists.push(q.eq);
      }
      if (ix.sparse && lists.some((l) => l.some((v) => v === null))) continue;
      let cost: number | undefined;
      let run: ((stats: { keys: number }) => Set<Doc> | undefined) | undefined;
      let covered: string[] = [];
      if (lists.length >= 2) {
        cost = ix.countPrefix(lists);
        if (cost !== undefined) run = (stats) => ix.lookupPrefix(lists, stats);
        covered = ix.exactPrefixes ? ix.fields.slice(0, lists.length) : [];
      }
      if (run === undefined && p.eq) {
        const eq = p.eq;
        cost = ix.countEq(eq);
        run = (stats) => ix.lookupEq(eq, stats);
        covered = [ix.fields[0]];
      }
      if (run === undefined && (p.lower || p.upper)) {
        cost = ix.size / 3 + 1;
        run = (stats) => ix.lookupRange(p.lower, p.upper, stats);
      }
      if (!run || cost === undefined) continue;
      if (!best || cost < best.cost) best = { ix, cost, covered, run };
    }
    return best;
  }

  /**
   * The first `limit` documents matching `filter` in `sort` order, read in order from an index
   * whose leading fields the filter pins to one value each and whose next fields are the sort's
   * (all in the index's directions, or all reversed): the walk stops at the `limit`-th match instead
   * of matching and sorting every candidate — what Agenda's lock query (one job, the earliest due)
   * needs. Undefined when no index gives that order, or when a plain lookup is far more selective.
   */
  matchSorted(
    filter: Document | undefined,
    sort: Document,
    limit: number,
    plan: PlanInfo = { docsExamined: 0, keysExamined: 0 },
    vars?: Document,
  ): Doc[] | undefined {
    const entries = Object.entries(sort);
    if (limit <= 0 || entries.length === 0 || !entries.every(([k, v]) => (v === 1 || v === -1) && !k.startsWith('$'))) return undefined;
    const f = filter ?? {};
    const preds = predicates(f);
    if (preds.get('_id')?.eq) return undefined;
    let pick: { ix: Index; prefix: unknown[]; reverse: boolean; size: number } | undefined;
    for (const ix of this.indexes) {
      if (ix.isPartial || ix.sparse || ix.hasNumericPart) continue;
      const prefix: unknown[] = [];
      for (const field of ix.fields) {
        const eq = preds.get(field)?.eq;
        if (eq?.length !== 1) break;
        prefix.push(eq[0]);
      }
      const pinned = new Set(ix.fields.slice(0, prefix.length));
      const rest = entries.filter(([k]) => !pinned.has(k));
      const dirs = ix.directions;
      let sign = 0;
      const fits = rest.every(([k, v], i) => {
        const at = prefix.length + i;
        if (ix.fields[at] !== k) return false;
        const s = dirs[at] * (v as number);
        if (sign === 0) sign = s;
        return s === sign;
      });
      if (!fits) continue;
      const size =
        prefix.length === 0 ? ix.size : prefix.length === 1 ? ix.countEq(prefix) : (ix.countPrefix(prefix.map((v) => [v])) ?? ix.size);
      if (!pick || size < pick.size) pick = { ix, prefix, reverse: sign < 0, size };
    }
    if (!pick) return undefined;
    // A walk in order may look at every document under the prefix (when few match): not worth it
    // when another index narrows the candidates to a small fraction of that.
    const other = this.bestIndex(preds)?.cost ?? this.docs.size;
    if (pick.size > 4 * other + 16) return undefined;
    if (!pick.ix.ordered(() => this.docs.values())) return undefined;
    const q = compileQuery(f, vars);
    const out: Doc[] = [];
    plan.index = pick.ix.spec.name;
    for (const d of pick.ix.scan(pick.prefix, pick.reverse)) {
      plan.docsExamined++;
      plan.keysExamined++;
      if (q.test(d)) {
        out.push(d);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /**
   * Documents matching `filter`, in natural order (or index order for the candidates), as the
   * stored objects themselves: callers must not mutate them.
   */
  match(filter: Document | undefined, plan: PlanInfo = { docsExamined: 0, keysExamined: 0 }, limit = 0, vars?: Document): Doc[] {
    const f = filter ?? {};
    const cand = this.candidates(f, plan);
    const out: Doc[] = [];
    if (Object.keys(f).length === 0) {
      for (const d of cand) {
        plan.docsExamined++;
        out.push(d);
        if (limit && out.length >= limit) break;
      }
      return out;
    }
    const q = plan.exact ? undefined : compileQuery(f, vars);
    for (const d of cand) {
      plan.docsExamined++;
      if (!q || q.test(d)) {
        out.push(d);
        if (limit && out.length >= limit) break;
      }
    }
    return out;
  }

  /** Re-checks a unique constraint for a document not yet stored (used by upserts). */
  checkInsert(doc: Doc): void {
    if (this.docs.has(keyOf(doc._id))) throw this.idDup(doc._id);
    for (const ix of this.indexes) ix.check(this.ns, doc);
  }
}
