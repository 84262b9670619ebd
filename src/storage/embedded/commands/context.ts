/** What every command handler gets, and the helpers they share. */
import { BSON, type Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { compare, resolve } from 'mingo/util';
import type { Catalog } from '../catalog';
import type { CursorRegistry } from '../cursor';
import { CommandError } from '../errors';
import { QUERY_OPTS, type Collection, type Doc } from '../collection';
import { validateCollectionName } from '../catalog';

export interface ServerInfo {
  startedAt: Date;
  port: number;
  dataDir: string | null;
}

export interface Ctx {
  /** The command's $db. */
  db: string;
  catalog: Catalog;
  cursors: CursorRegistry;
  connectionId: number;
  server: ServerInfo;
}

export type Handler = (cmd: Document, ctx: Ctx) => Document;

/** The collection named by the command's first field (string), or undefined if absent. */
export function collectionName(cmd: Document, field: string): string {
  return validateCollectionName(cmd[field]);
}

export function existing(ctx: Ctx, name: string): Collection | undefined {
  return ctx.catalog.get(ctx.db, name);
}

export function asDoc(v: unknown, what: string): Document {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new CommandError('TypeMismatch', `BSON field '${what}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`);
  }
  return v as Document;
}

export function asCount(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CommandError('BadValue', `expected a number, got ${String(v)}`);
  return Math.trunc(n);
}

/**
 * An independent copy of a document: plain objects, arrays and dates are copied; BSON values
 * (ObjectId, Binary, Long, Decimal128, …), RegExps and buffers are shared, since nothing here
 * changes them in place (an update replaces them). A BSON round trip did the same at four times the
 * cost, which was most of an updateMany (bench/routing.bench.ts).
 */
export function cloneDoc<T extends Document>(d: T): T {
  return copyValue(d) as T;
}

function copyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyValue);
  if (v instanceof Date) return new Date(v.getTime());
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = copyValue((v as Record<string, unknown>)[k]);
  return o;
}

/**
 * Whether two documents would serialize to the same BSON bytes (same fields in the same order, same
 * values and types), without serializing them: an update that changes nothing is not counted as a
 * modification, as in MongoDB.
 */
export function sameDoc(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b); // 0 and -0 differ in BSON, NaN equals NaN
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameDoc(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  if ((pa === Object.prototype || pa === null) && (pb === Object.prototype || pb === null)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i] || !sameDoc((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
    }
    return true;
  }
  // two different BSON values (or one and a plain object): let BSON decide
  return Buffer.from(BSON.serialize({ v: a })).equals(BSON.serialize({ v: b }));
}

const SORT_OPTS = QUERY_OPTS;

const nativeCmp = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

/**
 * Sorts as MongoDB does for plain 1/-1 keys: each key's value resolved by path (missing = null) and
 * ordered by mingo's `compare`, ties kept in input order — as one native stable sort over
 * precomputed keys (number, string and date columns compared natively). mingo's own $sort groups by
 * hashed values first, which costs ~5x more on thousands of documents; it remains the fallback for
 * other sort specs ($meta).
 */
export function sortDocs(docs: Doc[], sort: Document | undefined): Doc[] {
  if (!sort || Object.keys(sort).length === 0 || docs.length < 2) return docs;
  const entries = Object.entries(sort);
  for (const [k, v] of entries) {
    if (v !== 1 && v !== -1 && !(typeof v === 'object' && v && '$meta' in v)) {
      throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending) (field ${k})`);
    }
  }
  if (!entries.every(([, v]) => v === 1 || v === -1)) return new Aggregator([{ $sort: sort }], SORT_OPTS).run(docs) as Doc[];
  const paths = entries.map(([k]) => k);
  const dirs = entries.map(([, v]) => v as number);
  // a missing field sorts as null, as in MongoDB
  const keyed = docs.map((d, i) => ({ d, i, k: paths.map((p) => resolve(d, p) ?? null) }));
  // Columns made only of numbers, only of strings or only of dates compare natively (dates by time).
  const cmps = paths.map((_, j) => {
    const first = keyed[0].k[j];
    if (typeof first === 'number' && keyed.every((e) => typeof e.k[j] === 'number')) return nativeCmp;
    if (typeof first === 'string' && keyed.every((e) => typeof e.k[j] === 'string')) return nativeCmp;
    if (first instanceof Date && keyed.every((e) => e.k[j] instanceof Date)) {
      for (const e of keyed) e.k[j] = (e.k[j] as Date).getTime();
      return nativeCmp;
    }
    return compare;
  });
  keyed.sort((a, b) => {
    for (let j = 0; j < dirs.length; j++) {
      const c = cmps[j](a.k[j], b.k[j]);
      if (c !== 0) return c * dirs[j];
    }
    return a.i - b.i;
  });
  return keyed.map((e) => e.d);
}

export function projectDocs(docs: Doc[], projection: Document | undefined, filter: Document | undefined, vars?: Document): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  // The filter only matters for the positional projection ("a.$"); the documents already match it.
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  const opts = vars ? { ...SORT_OPTS, variables: vars } : SORT_OPTS;
  // mingo may edit the documents it projects (seen with nested exclusions): unless the projection
  // only names top-level fields, give it copies, never the stored documents.
  const simple = Object.entries(projection).every(([k, v]) => !k.includes('.') && (typeof v === 'number' || typeof v === 'boolean'));
  const input = simple ? docs : docs.map((d) => cloneDoc(d));
  const out = new Query(positional ? (filter ?? {}) : {}, opts).find(input, projection).all() as Doc[];
  // MongoDB keeps _id first in projected documents
  return out.map((d) => {
    const keys = Object.keys(d);
    if (keys.length < 2 || keys[0] === '_id' || !('_id' in d)) return d;
    const o: Doc = { _id: d._id };
    for (const k of keys) if (k !== '_id') o[k] = d[k];
    return o;
  });
}

/** Sort, skip, limit, then project — the order MongoDB applies them in a find. */
export function shape(
  docs: Doc[],
  o: { sort?: Document; skip?: number; limit?: number; projection?: Document; filter?: Document; vars?: Document },
): Doc[] {
  let out = sortDocs(docs, o.sort);
  const skip = o.skip ?? 0;
  const limit = Math.abs(o.limit ?? 0);
  if (skip > 0 || limit > 0) out = out.slice(skip, limit > 0 ? skip + limit : undefined);
  return projectDocs(out, o.projection, o.filter, o.vars);
}

/** The command's `let` variables, evaluated (they are expressions, e.g. {$literal: ...} or $$NOW). */
export function letVars(cmd: Document): Document | undefined {
  if (cmd.let === undefined || cmd.let === null) return undefined;
  const raw = asDoc(cmd.let, 'let');
  if (Object.keys(raw).length === 0) return undefined;
  return new Aggregator([{ $replaceRoot: { newRoot: raw } }], QUERY_OPTS).run([{}])[0] as Document;
}
