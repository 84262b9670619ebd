/**
 * Sorting and projection rules that mingo does not follow, shared by find, findAndModify and the
 * aggregation stages $sort, $match and $project (which replace mingo's own through its Context).
 *
 * Sort (https://www.mongodb.com/docs/manual/reference/method/cursor.sort/#ascending-descending-sort):
 * values in BSON comparison order, a missing field as null; an array sorts by its smallest element
 * ascending and by its largest descending; an empty array before null.
 *
 * Projection field order (https://www.mongodb.com/docs/manual/reference/operator/aggregation/project/):
 * included fields keep the input document's order, then new (computed) fields follow in the order the
 * projection names them. Mixing inclusion and exclusion is refused with codes 31254/31253.
 */
import { Lazy, type Iterator } from 'mingo/lazy';
import { Context } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { Document } from 'bson';
import { CommandError } from './errors';
import { anyAt, compileFilter, MINGO_OPTS, usesExpr } from './matcher';
import { compareValues, EMPTY_ARRAY_KEY, isPlainObject, type Doc } from './values';
import { cloneDoc } from './clone';

// --- sort --------------------------------------------------------------------------------------------

/** The value a document sorts by on `parts`: the smallest (dir 1) or largest (dir -1) value reached. */
export function sortKey(doc: Doc, parts: string[], dir: number): unknown {
  let best: unknown;
  let have = false;
  const consider = (v: unknown) => {
    if (!have) {
      best = v;
      have = true;
      return;
    }
    const c = compareValues(v, best);
    if (dir > 0 ? c < 0 : c > 0) best = v;
  };
  anyAt(doc, parts, 0, (v, missing) => {
    if (missing || v === undefined) consider(null);
    else if (Array.isArray(v)) {
      if (v.length === 0) consider(EMPTY_ARRAY_KEY);
      else for (const el of v) consider(el);
    } else consider(v);
    return false;
  });
  return have ? best : null;
}

const nativeCmp = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

/** Sorts by a {field: 1|-1} spec as MongoDB does (stable: ties keep their input order). */
export function sortDocs(docs: Doc[], sort: Document | undefined): Doc[] {
  if (!sort || Object.keys(sort).length === 0 || docs.length < 2) return docs;
  const entries = Object.entries(sort);
  for (const [k, v] of entries) {
    if (v !== 1 && v !== -1 && !(typeof v === 'object' && v && '$meta' in v)) {
      throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending) (field ${k})`);
    }
  }
  if (!entries.every(([, v]) => v === 1 || v === -1)) return runPipeline([{ $sort: sort }], docs, {}) as Doc[];
  if (entries.length === 1 && entries[0][0] === '$natural') return entries[0][1] === 1 ? docs : [...docs].reverse();
  const paths = entries.map(([k]) => k.split('.'));
  const dirs = entries.map(([, v]) => v as number);
  const keyed = docs.map((d, i) => ({ d, i, k: paths.map((p, j) => sortKey(d, p, dirs[j])) }));
  // columns made only of numbers or only of strings compare natively
  const cmps = paths.map((_, j) => {
    if (keyed.every((e) => typeof e.k[j] === 'number' && !Number.isNaN(e.k[j]))) return nativeCmp;
    return compareValues;
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

// --- projection --------------------------------------------------------------------------------------

type Node = { kind: 'inc' | 'exc' | 'computed' | 'op' } | { kind: 'tree'; children: Map<string, Node> };
interface Tree {
  children: Map<string, Node>;
  exclusion: boolean;
}

const FIND_OPERATORS = new Set(['$slice', '$elemMatch', '$meta']);

/**
 * Parses a projection into a tree, refusing a mix of inclusion and exclusion as MongoDB does:
 * 31254 "Cannot do exclusion on field x in inclusion projection", 31253 the other way round.
 */
export function projectionTree(spec: Document): Tree {
  let mode: 'inc' | 'exc' | undefined;
  const root = new Map<string, Node>();
  const note = (kind: 'inc' | 'exc', path: string) => {
    if (path === '_id') return;
    if (mode === undefined) mode = kind;
    else if (mode !== kind) {
      if (kind === 'exc') throw new CommandError('Location31254', `Cannot do exclusion on field ${path} in inclusion projection`);
      throw new CommandError('Location31253', `Cannot do inclusion on field ${path} in exclusion projection`);
    }
  };
  const add = (into: Map<string, Node>, parts: string[], node: Node) => {
    let m = into;
    for (let i = 0; i < parts.length - 1; i++) {
      let n = m.get(parts[i]);
      if (n?.kind !== 'tree') {
        n = { kind: 'tree', children: new Map() };
        m.set(parts[i], n);
      }
      m = n.children;
    }
    m.set(parts[parts.length - 1], node);
  };
  const walk = (into: Map<string, Node>, obj: Doc, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const parts = k.split('.');
      if (typeof v === 'number' || typeof v === 'boolean') {
        const kind = v ? 'inc' : 'exc';
        note(kind, path);
        add(into, parts, { kind });
      } else if (isPlainObject(v) && Object.keys(v).length > 0 && !Object.keys(v)[0].startsWith('$')) {
        const sub = new Map<string, Node>();
        add(into, parts, { kind: 'tree', children: sub });
        walk(sub, v, path);
      } else if (isPlainObject(v) && Object.keys(v).length > 0 && FIND_OPERATORS.has(Object.keys(v)[0])) {
        add(into, parts, { kind: 'op' });
      } else {
        note('inc', path);
        add(into, parts, { kind: 'computed' });
      }
    }
  };
  walk(root, spec, '');
  return { children: root, exclusion: mode === 'exc' || (mode === undefined && root.get('_id')?.kind === 'exc') };
}

function reorderValue(input: unknown, output: unknown, children: Map<string, Node>, exclusion: boolean): unknown {
  if (Array.isArray(input) && Array.isArray(output)) {
    if (input.length !== output.length) return output;
    return output.map((o, i) => reorderValue(input[i], o, children, exclusion));
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return output;
  const res: Doc = {};
  const place = (k: string) => {
    const n = children.get(k);
    res[k] = n && n.kind === 'tree' ? reorderValue(input[k], output[k], n.children, exclusion) : output[k];
  };
  for (const k of Object.keys(input)) {
    if (!(k in output)) continue;
    const n = children.get(k);
    if (exclusion || !n ? exclusion || k === '_id' : n.kind !== 'computed') place(k);
  }
  for (const k of children.keys()) if (k in output && !(k in res)) place(k);
  for (const k of Object.keys(output)) if (!(k in res)) res[k] = output[k];
  return res;
}

/** Puts a projected document's fields in MongoDB's order (see the file comment). */
export function reorderProjected(input: Doc, output: Doc, tree: Tree): Doc {
  return reorderValue(input, output, tree.children, tree.exclusion) as Doc;
}

// --- aggregation stages with these rules -------------------------------------------------------------

type StageOptions = { variables?: Document };

/**
 * mingo's operators, with pipeline stages replaced by ours: $match with this server's matcher
 * (mingo's own for filters using $expr, whose variables it evaluates), $sort with MongoDB's array
 * ordering, $project with MongoDB's field order and projection errors. (mingo's `Aggregator` from
 * the package root merges its default operators over any given, so the base class is used.)
 */
const STAGE_CONTEXT = Context.init({
  accumulator: accumulatorOperators as never,
  expression: expressionOperators as never,
  projection: projectionOperators as never,
  query: queryOperators as never,
  window: windowOperators as never,
  pipeline: {
    ...(pipelineOperators as Record<string, unknown>),
    $match(coll: Iterator, expr: Document, options: unknown): Iterator {
      if (usesExpr(expr)) return pipelineOperators.$match(coll, expr, options as never);
      const p = compileFilter(expr, { vars: (options as StageOptions).variables });
      return coll.filter((d: Doc) => p(d));
    },
    $sort(coll: Iterator, expr: Document): Iterator {
      if (!isPlainObject(expr) || Object.keys(expr).length === 0)
        throw new CommandError('BadValue', '$sort stage must have at least one sort key');
      return coll.transform((docs: Doc[]) => Lazy(sortDocs(docs, expr)));
    },
    $project(coll: Iterator, expr: Document, options: unknown): Iterator {
      if (!isPlainObject(expr) || Object.keys(expr).length === 0)
        throw new CommandError('Location51272', 'Invalid $project :: caused by :: projection specification must have at least one field');
      const tree = projectionTree(expr);
      return coll.transform((docs: Doc[]) => {
        const before = docs.map((d) => cloneDoc(d));
        const out = pipelineOperators.$project(Lazy(docs), expr, options as never).collect<Doc>();
        return Lazy(out.map((o, i) => reorderProjected(before[i], o, tree)));
      });
    },
  } as never,
});

/** Runs an aggregation pipeline over documents with MongoDB semantics for $match, $sort and $project. */
export function runPipeline(pipeline: Document[], docs: Doc[], options: Document): Doc[] {
  return new Aggregator(pipeline, { ...MINGO_OPTS, ...options, context: STAGE_CONTEXT }).run(docs) as Doc[];
}
