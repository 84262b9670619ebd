/** What every command handler gets, and the helpers they share. */
import { BSON, type Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import type { Catalog } from '../catalog';
import type { CursorRegistry } from '../cursor';
import { CommandError } from '../errors';
import { QUERY_OPTS, type Collection, type Doc } from '../collection';
import { validateCollectionName } from '../catalog';
import { cloneDoc } from '../clone';
import { projectionTree, reorderProjected, runPipeline, sortDocs } from '../shape';

export { runPipeline };

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
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${what}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  }
  return v as Document;
}

export function asCount(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CommandError('BadValue', `expected a number, got ${String(v)}`);
  return Math.trunc(n);
}

export { cloneDoc };

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

export { sortDocs };

export function projectDocs(docs: Doc[], projection: Document | undefined, filter: Document | undefined, vars?: Document): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  // The filter only matters for the positional projection ("a.$"); the documents already match it.
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  const opts = vars ? { ...SORT_OPTS, variables: vars } : SORT_OPTS;
  // mingo may edit the documents it projects (seen with nested exclusions): unless the projection
  // only names top-level fields, give it copies, never the stored documents.
  const simple = Object.entries(projection).every(([k, v]) => !k.includes('.') && (typeof v === 'number' || typeof v === 'boolean'));
  const input = simple ? docs : docs.map((d) => cloneDoc(d));
  const tree = projectionTree(projection);
  const out = (new Query(positional ? (filter ?? {}) : {}, opts).find(input, projection).all() as Doc[]).map((d, i) =>
    reorderProjected(docs[i], d, tree),
  );
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
