/**
 * Secondary indexes: a hash map from the first key field's value to the documents holding it
 * (equality and $in lookups), a sorted list of the distinct orderable values of that field (range
 * lookups), and for unique indexes a map from the whole compound key to its one document.
 * Index lookups only narrow the candidates: every candidate is re-checked with the matcher, except
 * when a lookup answers a pure equality on non-null scalars exactly (keyOf equality is the matcher's
 * equality for those), so an index may return more documents than match but never fewer.
 * Keys are read along paths as the matcher reads them (valuesAt): arrays fan out, nested arrays do not.
 */
import { createRequire } from 'node:module';
import type BTreeClass from 'sorted-btree';
import { compileFilter, type Pred } from './matcher';
import type { Document } from 'bson';
import { CommandError, DuplicateKeyError } from './errors';
import { compareValues } from './values';

// sorted-btree is CommonJS with its class on `default`: required, so ESM interop cannot change that.
const BTree = createRequire(import.meta.url)('sorted-btree').default as typeof BTreeClass;

export type Doc = Record<string, unknown>;

export interface IndexSpec {
  v?: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

// --- value keys ----------------------------------------------------------------------------------

/** A string that two values share exactly when MongoDB considers them equal (numbers across types). */
export function keyOf(v: unknown): string {
  if (v === undefined || v === null) return '\u0000';
  switch (typeof v) {
    case 'number':
      if (v === 0) return '#0';
      // integers print all their digits below 1e21, as bigints (Long, integral Decimal128) do
      return Number.isInteger(v) && Math.abs(v) >= 1e21 ? `#${BigInt(v)}` : `#${v}`;
    case 'string':
      return `s${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return `#${v}`;
  }
  if (v instanceof Date) return `d${v.getTime()}`;
  if (Array.isArray(v)) return `[${JSON.stringify(v.map(keyOf))}`;
  if (v instanceof RegExp) return `r${v.source}/${v.flags}`;
  const t = (v as { _bsontype?: string })._bsontype;
  switch (t) {
    case 'ObjectId':
      return `o${(v as { toHexString(): string }).toHexString()}`;
    case 'Long':
      return `#${(v as { toBigInt(): bigint }).toBigInt()}`;
    case 'Int32':
    case 'Double': {
      const n = Number((v as { valueOf(): number }).valueOf());
      return n === 0 ? '#0' : `#${n}`;
    }
    case 'Decimal128': {
      // as values.ts compares them: integers exactly, the rest at double precision
      const s = String(v);
      if (/^-?\d+$/.test(s)) return `#${BigInt(s)}`;
      const n = Number(s);
      return n === 0 ? '#0' : `#${n}`;
    }
    case 'Binary':
      return `b${Buffer.from((v as { buffer: Uint8Array }).buffer).toString('base64')}`;
    case 'Timestamp':
      return `t${String(v)}`;
    case 'MinKey':
      return '<';
    case 'MaxKey':
      return '>';
    case undefined:
      break;
    default:
      return `${t}:${JSON.stringify(v)}`;
  }
  const entries = Object.entries(v as Doc).map(([k, x]) => [k, keyOf(x)]);
  return `{${JSON.stringify(entries)}`;
}

/** Rank + comparable value for range-indexable values (numbers, strings, dates); undefined otherwise. */
interface Ordered {
  r: number;
  v: number | string;
  k: string;
  /** a Long or Decimal128 placed at double precision: it may lie just beyond a bound equal to `v` */
  approx?: boolean;
}

function orderedOf(v: unknown, k: string): Ordered | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : { r: 1, v, k };
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  if (t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128') {
    // at double precision: range lookups include their bounds and the matcher re-checks
    const n = Number(String(v));
    return Number.isNaN(n) ? undefined : { r: 1, v: n, k, approx: true };
  }
  if (typeof v === 'string') return { r: 2, v, k };
  if (v instanceof Date) return { r: 3, v: v.getTime(), k };
  return undefined;
}

function cmpOrdered(a: Ordered, b: { r: number; v: number | string }): number {
  if (a.r !== b.r) return a.r - b.r;
  return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
}

/** Reads a dotted path; arrays along the way fan out (as MongoDB does for multikey indexes). */
export function valuesAt(doc: unknown, path: string[], i = 0): unknown[] {
  if (i === path.length) return [doc];
  if (doc === null || typeof doc !== 'object') return [undefined];
  if (Array.isArray(doc)) {
    const idx = Number(path[i]);
    if (Number.isInteger(idx) && String(idx) === path[i]) return valuesAt(doc[idx], path, i + 1);
    if (doc.length === 0) return [undefined];
    // as the matcher does: an array's documents are searched, nested arrays are not
    return doc.flatMap((el) => (Array.isArray(el) ? [] : valuesAt(el, path, i)));
  }
  return valuesAt((doc as Doc)[path[i]], path, i + 1);
}

/** The index keys of one field of a document: each array element separately, plus the array itself. */
function fieldKeys(doc: Doc, path: string[]): unknown[] {
  const out: unknown[] = [];
  for (const v of valuesAt(doc, path)) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else out.push(...v);
      out.push(v);
    } else out.push(v);
  }
  return out;
}

function hasAnyField(doc: Doc, paths: string[][]): boolean {
  return paths.some((p) => valuesAt(doc, p).some((v) => v !== undefined));
}

// --- the ordered view ----------------------------------------------------------------------------

/** Bounds for ordered scans: below and above every value, whatever the field's direction. */
const LOW = Symbol('low');
const HIGH = Symbol('high');

/**
 * A key of the ordered view: the indexed values (missing as null), then the _id key, so that
 * documents with equal values still have distinct keys. Bounds end early with LOW or HIGH.
 */
type OrderKey = unknown[];

function orderComparator(dirs: number[]): (a: OrderKey, b: OrderKey) => number {
  const n = dirs.length;
  return (a, b) => {
    for (let i = 0; i <= n; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (x === LOW || y === HIGH) return -1;
      if (x === HIGH || y === LOW) return 1;
      if (i === n) return (x as string) < (y as string) ? -1 : 1;
      const c = compareValues(x, y);
      if (c !== 0) return c * dirs[i];
    }
    return 0;
  };
}

// --- the index -----------------------------------------------------------------------------------

export class Index {
  readonly spec: IndexSpec;
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly partial?: Pred;
  /** first field key → documents */
  private readonly byFirst = new Map<string, Set<Doc>>();
  /**
   * Distinct orderable first-field values, sorted. Maintained lazily: new values wait in
   * `unsorted` and removed ones stay (skipped: their key is gone from byFirst) until the next range
   * lookup merges and cleans — so inserts stay O(1) whatever the key order.
   */
  private sorted: Ordered[] = [];
  private unsorted: Ordered[] = [];
  private stale = 0;
  /** compound indexes: prefixMaps[j] maps the key of the first j+2 fields → documents */
  private readonly prefixMaps: Map<string, Set<Doc>>[] = [];
  /** documents with too many key combinations for the prefix maps: part of every prefix lookup */
  private readonly overflow = new Set<Doc>();
  /** whole-key → document, unique indexes only */
  private readonly uniq?: Map<string, Doc>;
  /** number of documents in the index (for planning) */
  size = 0;
  /** whether any document held an array in the first field (then range bounds cannot be intersected) */
  private multikey = false;
  /**
   * The ordered view (a B+ tree over the whole key, in the index's directions), for queries that
   * sort on the index's fields and want only the first few documents: built the first time such a
   * query comes, kept up to date from then on. `unorderable` counts the documents it cannot place
   * (an array along an indexed path: MongoDB sorts those by their smallest or largest element, not
   * by index order); while there are any, the view is not used.
   */
  private tree?: BTreeClass<OrderKey, Doc>;
  private unorderable = 0;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    for (const f of this.fields) {
      if (f.startsWith('$') || f.includes('.$')) {
        throw new CommandError('CannotCreateIndex', `wildcard and special index keys (${f}) are not supported by the embedded server`);
      }
      const dir = spec.key[f];
      if (dir !== 1 && dir !== -1) {
        throw new CommandError(
          'CannotCreateIndex',
          `index type ${JSON.stringify(dir)} on field ${f} is not supported by the embedded server`,
        );
      }
    }
    for (let j = 1; j < this.fields.length; j++) this.prefixMaps.push(new Map());
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    if (spec.unique) this.uniq = new Map();
  }

  get sparse(): boolean {
    return !!this.spec.sparse;
  }
  get hasNumericPart(): boolean {
    return this.paths.some((p) => p.some((x) => /^\d+$/.test(x)));
  }
  get isPartial(): boolean {
    return !!this.partial;
  }

  private covers(doc: Doc): boolean {
    if (this.partial && !this.partial(doc)) return false;
    if (this.spec.sparse && !hasAnyField(doc, this.paths)) return false;
    return true;
  }

  /** The distinct whole-index keys of a document (cartesian product over multikey fields). */
  private wholeKeys(doc: Doc): { key: string; values: unknown[] }[] {
    let combos: { key: string; values: unknown[] }[] = [{ key: '', values: [] }];
    for (const p of this.paths) {
      const seen = new Map<string, unknown>();
      for (const v of valuesAt(doc, p)) {
        if (Array.isArray(v) && v.length > 0) for (const el of v) seen.set(keyOf(el), el);
        else seen.set(keyOf(Array.isArray(v) ? undefined : v), Array.isArray(v) ? undefined : v);
      }
      const next: { key: string; values: unknown[] }[] = [];
      for (const c of combos) for (const [k, v] of seen) next.push({ key: `${c.key}\u0001${k}`, values: [...c.values, v] });
      combos = next;
    }
    return combos;
  }

  private dupError(ns: string, values: unknown[]): DuplicateKeyError {
    const keyValue: Doc = {};
    for (const [i, f] of this.fields.entries()) keyValue[f] = values[i] === undefined ? null : values[i];
    return new DuplicateKeyError(ns, this.spec.name, { ...this.spec.key }, keyValue);
  }

  /** Throws DuplicateKeyError if adding `doc` (replacing `self`, if given) would break uniqueness. */
  check(ns: string, doc: Doc, self?: Doc): void {
    if (!this.uniq || !this.covers(doc)) return;
    for (const { key, values } of this.wholeKeys(doc)) {
      const other = this.uniq.get(key);
      if (other && other !== self && other !== doc) throw this.dupError(ns, values);
    }
  }

  add(doc: Doc): void {
    if (!this.covers(doc)) return;
    this.size++;
    if (this.tree) this.treeAdd(doc);
    if (this.uniq) for (const { key } of this.wholeKeys(doc)) this.uniq.set(key, doc);
    const seen = new Set<string>();
    const keys = fieldKeys(doc, this.paths[0]);
    if (!this.multikey && keys.length > 1) this.multikey = true;
    for (const v of keys) {
      const k = keyOf(v);
      if (seen.has(k)) continue;
      seen.add(k);
      let set = this.byFirst.get(k);
      if (!set) {
        set = new Set();
        this.byFirst.set(k, set);
        const o = orderedOf(v, k);
        if (o) this.unsorted.push(o);
      }
      set.add(doc);
    }
    if (this.prefixMaps.length) {
      const all = this.prefixKeys(doc);
      if (!all) {
        this.overflow.add(doc);
        return;
      }
      all.forEach((keys, j) => {
        const map = this.prefixMaps[j];
        for (const k of keys) {
          let set = map.get(k);
          if (!set) map.set(k, (set = new Set()));
          set.add(doc);
        }
      });
    }
  }

  /** Whether prefix lookups can contain documents that do not match (see `overflow`). */
  get exactPrefixes(): boolean {
    return this.overflow.size === 0;
  }

  /** For each compound prefix (first 2, 3, ... fields), the distinct composite keys of a document. */
  private prefixKeys(doc: Doc): string[][] | undefined {
    const lists = this.paths.map((p) => [...new Set(fieldKeys(doc, p).map(keyOf))]);
    const out: string[][] = [];
    let cur = lists[0];
    for (let f = 1; f < lists.length; f++) {
      if (cur.length * lists[f].length > 4096) return undefined;
      const next: string[] = [];
      for (const a of cur) for (const b of lists[f]) next.push(`${a}\u0001${b}`);
      out.push(next);
      cur = next;
    }
    return out;
  }

  remove(doc: Doc): void {
    if (!this.covers(doc)) return;
    this.size--;
    if (this.tree) {
      const key = this.orderKey(doc);
      if (key) this.tree.delete(key);
      else this.unorderable--;
    }
    if (this.uniq) {
      for (const { key } of this.wholeKeys(doc)) if (this.uniq.get(key) === doc) this.uniq.delete(key);
    }
    for (const v of fieldKeys(doc, this.paths[0])) {
      const k = keyOf(v);
      const set = this.byFirst.get(k);
      if (!set?.delete(doc) || set.size > 0) continue;
      this.byFirst.delete(k);
      if (orderedOf(v, k)) this.stale++;
    }
    if (this.prefixMaps.length && !this.overflow.delete(doc)) {
      this.prefixKeys(doc)?.forEach((keys, j) => {
        const map = this.prefixMaps[j];
        for (const k of keys) {
          const set = map.get(k);
          if (set?.delete(doc) && set.size === 0) map.delete(k);
        }
      });
    }
  }

  /**
   * Whether `next` (an update of `old`) has the same index entries: same coverage, same values at
   * every indexed path. Then `swap` only changes the references, and uniqueness needs no check.
   */
  sameEntries(old: Doc, next: Doc): boolean {
    if (this.covers(old) !== this.covers(next)) return false;
    for (const p of this.paths) {
      const a = valuesAt(old, p);
      const b = valuesAt(next, p);
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && keyOf(a[i]) !== keyOf(b[i])) return false;
    }
    return true;
  }

  /** Puts `next` where `old` was, for an update that `sameEntries` says leaves the entries alone. */
  swap(old: Doc, next: Doc): void {
    if (!this.covers(old)) return;
    if (this.tree) {
      const key = this.orderKey(old);
      if (key) this.tree.set(key, next);
    }
    if (this.uniq) for (const { key } of this.wholeKeys(old)) if (this.uniq.get(key) === old) this.uniq.set(key, next);
    for (const v of fieldKeys(old, this.paths[0])) {
      const set = this.byFirst.get(keyOf(v));
      if (set?.delete(old)) set.add(next);
    }
    if (this.prefixMaps.length) {
      if (this.overflow.delete(old)) this.overflow.add(next);
      else {
        this.prefixKeys(old)?.forEach((keys, j) => {
          for (const k of keys) {
            const set = this.prefixMaps[j].get(k);
            if (set?.delete(old)) set.add(next);
          }
        });
      }
    }
  }

  /**
   * The index's whole content, for consistency checks (tests): every key with the _id keys of its
   * documents, sorted, and the document objects referenced. Two indexes with the same spec built from
   * the same documents dump equal.
   */
  dump(): { keys: Record<string, string[]>; docs: Set<Doc>; size: number; ordered: string[] } {
    const keys: Record<string, string[]> = {};
    const docs = new Set<Doc>();
    const put = (name: string, set: Iterable<Doc>) => {
      const ids: string[] = [];
      for (const d of set) {
        docs.add(d);
        ids.push(keyOf(d._id));
      }
      keys[name] = ids.sort();
    };
    for (const [k, set] of this.byFirst) put(`first ${k}`, set);
    this.prefixMaps.forEach((m, j) => {
      for (const [k, set] of m) put(`prefix${j} ${k}`, set);
    });
    put('overflow', this.overflow);
    if (this.uniq) for (const [k, d] of this.uniq) put(`unique ${k}`, [d]);
    this.settle();
    return { keys, docs, size: this.size, ordered: this.sorted.map((e) => e.k) };
  }

  /** Merges pending values into `sorted` and drops removed ones. */
  private settle(): void {
    if (this.unsorted.length === 0 && this.stale === 0) return;
    const fresh = this.unsorted.sort(cmpOrdered);
    this.unsorted = [];
    this.stale = 0;
    const out: Ordered[] = [];
    const push = (e: Ordered) => {
      if (!this.byFirst.has(e.k)) return;
      if (out.length && out[out.length - 1].k === e.k) return;
      out.push(e);
    };
    let i = 0;
    let j = 0;
    while (i < this.sorted.length || j < fresh.length) {
      if (j >= fresh.length || (i < this.sorted.length && cmpOrdered(this.sorted[i], fresh[j]) <= 0)) push(this.sorted[i++]);
      else push(fresh[j++]);
    }
    this.sorted = out;
  }

  clear(): void {
    this.byFirst.clear();
    for (const m of this.prefixMaps) m.clear();
    this.overflow.clear();
    this.sorted = [];
    this.unsorted = [];
    this.stale = 0;
    this.uniq?.clear();
    this.size = 0;
    this.tree = undefined;
    this.unorderable = 0;
  }

  private orderKey(doc: Doc): OrderKey | undefined {
    const out: OrderKey = [];
    for (const p of this.paths) {
      const vs = valuesAt(doc, p);
      if (vs.length !== 1 || Array.isArray(vs[0])) return undefined;
      out.push(vs[0] === undefined ? null : vs[0]);
    }
    out.push(keyOf(doc._id));
    return out;
  }

  private treeAdd(doc: Doc): void {
    const key = this.orderKey(doc);
    if (key) this.tree!.set(key, doc);
    else this.unorderable++;
  }

  /** The directions of the index's fields (1 or -1). */
  get directions(): number[] {
    return this.fields.map((f) => this.spec.key[f] as number);
  }

  /**
   * Whether the index can hand out documents in its key order: a plain index (not partial, not
   * sparse, no numeric path part) whose documents hold no array along its paths. `docs` builds the
   * ordered view the first time (all the collection's documents: a plain index covers them all).
   */
  ordered(docs: () => Iterable<Doc>): boolean {
    if (this.isPartial || this.sparse || this.hasNumericPart) return false;
    if (!this.tree) {
      this.tree = new BTree<OrderKey, Doc>(undefined, orderComparator(this.directions));
      this.unorderable = 0;
      for (const d of docs()) this.treeAdd(d);
    }
    return this.unorderable === 0;
  }

  /**
   * The documents whose first fields equal `prefix` (one value each), in index order (reversed:
   * backwards). Only after ordered() said yes.
   */
  *scan(prefix: unknown[], reverse: boolean): Generator<Doc> {
    const tree = this.tree!;
    const same = (k: OrderKey) => {
      for (let i = 0; i < prefix.length; i++) if (compareValues(k[i], prefix[i]) !== 0) return false;
      return true;
    };
    const it = reverse ? tree.entriesReversed([...prefix, HIGH]) : tree.entries([...prefix, LOW]);
    for (const [k, d] of it) {
      if (!same(k)) return;
      yield d;
    }
  }

  /** First position whose value is >= b (or > b when `after`). */
  private lowerBound(b: { r: number; v: number | string }, after: boolean): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmpOrdered(this.sorted[mid], b);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Documents whose first field equals one of `values`; counts keys examined. */
  lookupEq(values: unknown[], stats: { keys: number }): Set<Doc> {
    if (values.length === 1) {
      stats.keys++;
      return this.byFirst.get(keyOf(values[0])) ?? new Set();
    }
    const out = new Set<Doc>();
    for (const v of values) {
      stats.keys++;
      const set = this.byFirst.get(keyOf(v));
      if (set) for (const d of set) out.add(d);
    }
    return out;
  }

  /** Documents whose first field lies in the range; undefined when the bounds are not orderable. */
  lookupRange(
    lower: { v: unknown; inclusive: boolean } | undefined,
    upper: { v: unknown; inclusive: boolean } | undefined,
    stats: { keys: number },
  ): Set<Doc> | undefined {
    // With arrays, {$gt: a, $lt: b} may be met by two different elements: use one bound only.
    if (this.multikey && lower && upper) upper = undefined;
    const lo = lower && orderedOf(lower.v, '');
    const hi = upper && orderedOf(upper.v, '');
    if ((lower && !lo) || (upper && !hi)) return undefined;
    const rank = (lo ?? hi)!.r;
    if (lo && hi && lo.r !== hi.r) return new Set();
    this.settle();
    // Long and Decimal128 keys are placed at double precision, so one equal to an exclusive bound
    // may still lie beyond it: those are kept (the candidates are re-checked).
    const start = lo ? this.lowerBound(lo, false) : this.lowerBound({ r: rank, v: rank === 2 ? '' : -Infinity }, false);
    const out = new Set<Doc>();
    for (let i = start; i < this.sorted.length; i++) {
      const e = this.sorted[i];
      if (e.r !== rank) break;
      if (lo && !lower!.inclusive && !e.approx && cmpOrdered(e, lo) === 0) continue;
      if (hi) {
        const c = cmpOrdered(e, hi);
        if (c > 0) break;
        if (c === 0 && !upper!.inclusive && !e.approx) continue;
      }
      const set = this.byFirst.get(e.k);
      if (!set) continue;
      stats.keys++;
      for (const d of set) out.add(d);
    }
    return out;
  }

  /** Number of documents under one equality key (for choosing the most selective index). */
  countEq(values: unknown[]): number {
    let n = 0;
    for (const v of values) n += this.byFirst.get(keyOf(v))?.size ?? 0;
    return n;
  }

  /** Composite keys for equality values on the first `lists.length` fields (undefined if too many). */
  private compositeKeys(lists: unknown[][]): string[] | undefined {
    let cur = lists[0].map(keyOf);
    for (let f = 1; f < lists.length; f++) {
      const next: string[] = [];
      for (const a of cur) for (const b of lists[f]) next.push(`${a}\u0001${keyOf(b)}`);
      if (next.length > 1024) return undefined;
      cur = next;
    }
    return cur;
  }

  /**
   * Documents whose first fields equal one of the given values each (lists[i] for field i, at least
   * two fields); undefined when the combination is too large to enumerate.
   */
  lookupPrefix(lists: unknown[][], stats: { keys: number }): Set<Doc> | undefined {
    const map = this.prefixMaps[lists.length - 2];
    const keys = map && this.compositeKeys(lists);
    if (!keys) return undefined;
    if (keys.length === 1 && this.overflow.size === 0) {
      stats.keys++;
      return map.get(keys[0]) ?? new Set();
    }
    const out = new Set<Doc>(this.overflow);
    for (const k of keys) {
      stats.keys++;
      const set = map.get(k);
      if (set) for (const d of set) out.add(d);
    }
    return out;
  }

  countPrefix(lists: unknown[][]): number | undefined {
    const map = this.prefixMaps[lists.length - 2];
    const keys = map && this.compositeKeys(lists);
    if (!keys) return undefined;
    let n = this.overflow.size;
    for (const k of keys) n += map.get(k)?.size ?? 0;
    return n;
  }
}

/** Validates an index spec from createIndexes and fills in defaults. */
export function normalizeIndexSpec(raw: Document): IndexSpec {
  if (!raw || typeof raw !== 'object' || !raw.key || typeof raw.key !== 'object' || Object.keys(raw.key).length === 0) {
    throw new CommandError('CannotCreateIndex', 'index specification must have a non-empty key document');
  }
  if (typeof raw.name !== 'string' || raw.name.length === 0) {
    throw new CommandError('CannotCreateIndex', 'index specification must have a name');
  }
  const key: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw.key as Doc)) key[k] = typeof v === 'number' ? (v < 0 ? -1 : 1) : v;
  const spec: IndexSpec = { v: 2, key, name: raw.name };
  for (const [k, v] of Object.entries(raw)) if (k !== 'key' && k !== 'name' && k !== 'v' && k !== 'ns') spec[k] = v;
  if (spec.unique === false) delete spec.unique;
  if (spec.sparse === false) delete spec.sparse;
  return spec;
}

/** The default name MongoDB gives an index: field_dir joined with underscores. */
export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${v}`)
    .join('_');
}
