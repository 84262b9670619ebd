/**
 * Query filters with MongoDB's semantics, compiled once into a predicate:
 * - paths through arrays: a non-numeric path part fans out over an array's documents (not over
 *   nested arrays or scalars); a numeric part indexes the array (and names a field of its documents);
 * - at the end of a path an array is tested itself and element by element (except $size,
 *   $elemMatch, $exists);
 * - comparisons use BSON order with type bracketing (`$gt: 5` only matches numbers); `null` matches
 *   null and missing, so `$gte: null` / `$lte: null` match missing fields too; NaN only equals NaN;
 * - embedded documents are equal only with the same fields in the same order.
 * $expr, $jsonSchema, bitwise and geospatial operators are delegated to mingo.
 * https://www.mongodb.com/docs/manual/reference/operator/query/
 */
import { Query } from 'mingo';
import type { Document } from 'bson';
import { CommandError } from './errors';
import { bsonType, bsonTypeNumber, compareValues, isNumeric, isPlainObject, TYPE_ALIASES, typeRank, type Doc } from './values';

export type Pred = (doc: Doc) => boolean;
type ValueTest = (v: unknown, missing: boolean) => boolean;

/** mingo options for what is delegated to it: MongoDB semantics, no server-side JavaScript. */
export const MINGO_OPTS = { useStrictMode: true, scriptEnabled: false } as const;

const isNumericPart = (p: string) => /^(0|[1-9]\d*)$/.test(p);

/**
 * Whether `test` holds for any value the path reaches in `v`. A missing field is reported once as
 * (undefined, missing=true); a path through a scalar is missing; a path through an array of scalars
 * reaches nothing.
 */
export function anyAt(v: unknown, parts: string[], i: number, test: ValueTest): boolean {
  if (i === parts.length) return test(v, false);
  if (Array.isArray(v)) {
    const p = parts[i];
    if (isNumericPart(p)) {
      const idx = Number(p);
      if (idx < v.length && anyAt(v[idx], parts, i + 1, test)) return true;
    }
    for (const el of v) if (isPlainObject(el) && anyAt(el, parts, i, test)) return true;
    return false;
  }
  if (isPlainObject(v)) {
    const next = v[parts[i]];
    if (next === undefined) return test(undefined, true);
    return anyAt(next, parts, i + 1, test);
  }
  return test(undefined, true);
}

/** Tests the value and, when it is an array, each of its elements. */
const withElements =
  (t: (v: unknown, missing: boolean) => boolean): ValueTest =>
  (v, missing) => {
    if (t(v, missing)) return true;
    if (Array.isArray(v)) for (const el of v) if (t(el, false)) return true;
    return false;
  };

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys[0].startsWith('$');
}

// --- equality and comparison -----------------------------------------------------------------------

function eqTest(x: unknown): ValueTest {
  if (x === null || x === undefined) return withElements((v, missing) => missing || v === null || v === undefined);
  const r = typeRank(x);
  if (typeof x === 'string') return withElements((v) => v === x);
  return withElements((v) => typeRank(v) === r && compareValues(v, x) === 0);
}

function regexTest(re: RegExp): ValueTest {
  return withElements((v) => {
    if (typeof v === 'string') {
      re.lastIndex = 0;
      return re.test(v);
    }
    if (bsonType(v) === 'BSONSymbol') return re.test(String((v as { value: string }).value ?? v));
    if (v instanceof RegExp) return v.source === re.source && v.flags === re.flags;
    return false;
  });
}

/** $in/$all/implicit equality: a regex operand matches strings, anything else is equality. */
function valueTest(x: unknown): ValueTest {
  if (x instanceof RegExp) return regexTest(x);
  if (bsonType(x) === 'BSONRegExp') return regexTest(toRegExp(x));
  return eqTest(x);
}

function toRegExp(x: unknown, options = ''): RegExp {
  if (x instanceof RegExp) return options ? new RegExp(x.source, mergeFlags(x.flags, options)) : x;
  if (bsonType(x) === 'BSONRegExp') {
    const r = x as { pattern: string; options: string };
    return new RegExp(r.pattern, mergeFlags('', r.options + options));
  }
  if (typeof x !== 'string') throw new CommandError('BadValue', '$regex has to be a string');
  return new RegExp(x, mergeFlags('', options));
}

function mergeFlags(flags: string, options: string): string {
  let out = flags;
  for (const c of options) {
    if (!'imsx'.includes(c)) throw new CommandError('BadValue', `invalid flag in regex options: ${c}`);
    if (c === 'x') continue; // extended syntax: not supported by JS, ignored
    if (!out.includes(c)) out += c;
  }
  return out;
}

type Cmp = '$gt' | '$gte' | '$lt' | '$lte';

function cmpTest(op: Cmp, x: unknown): ValueTest {
  const rx = typeRank(x);
  const minMax = rx === -1 || rx === 127;
  const nanX = typeof x === 'number' && Number.isNaN(x);
  const ok = (c: number) => (op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0);
  const inclusive = op === '$gte' || op === '$lte';
  return withElements((v, missing) => {
    const val = missing ? null : v;
    const rv = typeRank(val);
    if (!minMax && rv !== rx) return false; // type bracketing
    if (rx === 10) {
      const nanV = typeof val === 'number' && Number.isNaN(val);
      if (nanX || nanV) return nanX && nanV && inclusive;
    }
    return ok(compareValues(val, x));
  });
}

// --- $type -------------------------------------------------------------------------------------------

function typeCodes(spec: unknown): Set<number | 'number'> {
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0) throw new CommandError('FailedToParse', '$type must match at least one type');
  const out = new Set<number | 'number'>();
  for (const t of list) {
    if (typeof t === 'string') {
      if (t === 'number') out.add('number');
      else if (t in TYPE_ALIASES) out.add(TYPE_ALIASES[t]);
      else throw new CommandError('BadValue', `Unknown type name alias: ${t}`);
    } else if (isNumeric(t)) {
      const n = Number(t);
      if (!Object.values(TYPE_ALIASES).includes(n)) throw new CommandError('BadValue', `Invalid numerical type code: ${n}`);
      out.add(n);
    } else throw new CommandError('TypeMismatch', 'type must be represented as a number or a string');
  }
  return out;
}

function typeTest(spec: unknown): ValueTest {
  const codes = typeCodes(spec);
  const has = (v: unknown) => {
    const n = bsonTypeNumber(v);
    return codes.has(n) || (codes.has('number') && (n === 1 || n === 16 || n === 18 || n === 19));
  };
  return (v, missing) => {
    if (missing) return false;
    if (has(v)) return true;
    if (Array.isArray(v)) for (const el of v) if (has(el)) return true;
    return false;
  };
}

// --- compiling -----------------------------------------------------------------------------------

export interface MatchOptions {
  /** `let` variables, for $expr. */
  vars?: Document;
}

const field =
  (parts: string[], test: ValueTest): Pred =>
  (doc) =>
    anyAt(doc, parts, 0, test);
const not =
  (p: Pred): Pred =>
  (doc) =>
    !p(doc);

function all(preds: Pred[]): Pred {
  if (preds.length === 1) return preds[0];
  return (doc) => {
    for (const p of preds) if (!p(doc)) return false;
    return true;
  };
}

function arrayOf(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new CommandError('BadValue', `${what} needs an array`);
  return v;
}

/** One operator of a field clause, as a predicate on the whole document. */
function operator(path: string, parts: string[], op: string, x: unknown, clause: Doc, opts: MatchOptions): Pred | undefined {
  switch (op) {
    case '$eq':
      return field(parts, eqTest(x));
    case '$ne':
      return not(field(parts, eqTest(x)));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (x instanceof RegExp) return () => false;
      return field(parts, cmpTest(op, x));
    case '$in': {
      const tests = arrayOf(x, '$in').map((v) => {
        if (isOperatorObject(v)) throw new CommandError('BadValue', 'cannot nest $ under $in');
        return valueTest(v);
      });
      return field(parts, (v, missing) => tests.some((t) => t(v, missing)));
    }
    case '$nin': {
      const tests = arrayOf(x, '$nin').map(valueTest);
      return not(field(parts, (v, missing) => tests.some((t) => t(v, missing))));
    }
    case '$exists':
      return x ? field(parts, (_v, missing) => !missing) : not(field(parts, (_v, missing) => !missing));
    case '$type':
      return field(parts, typeTest(x));
    case '$regex':
      return field(parts, regexTest(toRegExp(x, typeof clause.$options === 'string' ? clause.$options : '')));
    case '$options':
      if (!('$regex' in clause)) throw new CommandError('BadValue', '$options needs a $regex');
      return undefined;
    case '$size': {
      if (!isNumeric(x) || !Number.isInteger(Number(x))) throw new CommandError('BadValue', '$size needs a number');
      const n = Number(x);
      if (n < 0) throw new CommandError('BadValue', '$size may not be negative');
      return field(parts, (v) => Array.isArray(v) && v.length === n);
    }
    case '$mod': {
      const a = arrayOf(x, 'malformed mod,');
      if (a.length < 2) throw new CommandError('BadValue', 'malformed mod, not enough elements');
      if (a.length > 2) throw new CommandError('BadValue', 'malformed mod, too many elements');
      if (!isNumeric(a[0]) || !isNumeric(a[1])) throw new CommandError('BadValue', 'malformed mod, divisor and remainder must be numbers');
      const d = Math.trunc(Number(a[0]));
      const r = Math.trunc(Number(a[1]));
      if (d === 0) throw new CommandError('BadValue', 'divisor cannot be 0');
      return field(
        parts,
        withElements((v) => {
          if (!isNumeric(v)) return false;
          const n = Number(v);
          return Number.isFinite(n) && Math.trunc(n) % d === r;
        }),
      );
    }
    case '$all': {
      const list = arrayOf(x, '$all');
      if (list.length === 0) return () => false;
      return all(
        list.map((v) => {
          if (isPlainObject(v) && '$elemMatch' in v) return elemMatch(parts, v.$elemMatch, opts);
          if (isOperatorObject(v)) throw new CommandError('BadValue', 'no $ expressions in $all');
          return field(parts, valueTest(v));
        }),
      );
    }
    case '$elemMatch':
      return elemMatch(parts, x, opts);
    case '$not': {
      if (x instanceof RegExp || bsonType(x) === 'BSONRegExp') return not(field(parts, regexTest(toRegExp(x))));
      if (!isOperatorObject(x)) throw new CommandError('BadValue', '$not needs a regex or a document');
      return not(fieldClause(path, x, opts));
    }
    case '$comment':
      return undefined;
    case '$bitsAllSet':
    case '$bitsAllClear':
    case '$bitsAnySet':
    case '$bitsAnyClear':
    case '$geoWithin':
    case '$geoIntersects': {
      const q = new Query({ [path]: { [op]: x } }, MINGO_OPTS);
      return (doc) => q.test(doc);
    }
    case '$near':
    case '$nearSphere':
      throw new CommandError('BadValue', `${op} needs a geospatial index, which the embedded server does not support`);
  }
  throw new CommandError('BadValue', `unknown operator: ${op}`);
}

function elemMatch(parts: string[], x: unknown, opts: MatchOptions): Pred {
  if (!isPlainObject(x)) throw new CommandError('BadValue', '$elemMatch needs an Object');
  const keys = Object.keys(x);
  const valueMode =
    keys.length > 0 &&
    keys.every((k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor' && k !== '$expr' && k !== '$where');
  let test: (el: unknown) => boolean;
  if (valueMode) {
    const p = fieldClause('$elem', x, opts);
    test = (el) => p({ $elem: el });
  } else {
    const p = compileFilter(x, opts);
    test = (el) => isPlainObject(el) && p(el);
  }
  return field(parts, (v) => Array.isArray(v) && v.some(test));
}

/** `{path: cond}`: an operator object, or an implicit equality (a regex: a match). */
function fieldClause(path: string, cond: unknown, opts: MatchOptions): Pred {
  const parts = path.split('.');
  if (isOperatorObject(cond)) {
    const preds: Pred[] = [];
    for (const [op, x] of Object.entries(cond)) {
      const p = operator(path, parts, op, x, cond, opts);
      if (p) preds.push(p);
    }
    return preds.length ? all(preds) : () => true;
  }
  return field(parts, valueTest(cond));
}

function logical(op: string, x: unknown, opts: MatchOptions): Pred[] {
  if (!Array.isArray(x) || x.length === 0) throw new CommandError('BadValue', `${op} must be a nonempty array`);
  return x.map((sub) => {
    if (!isPlainObject(sub)) throw new CommandError('BadValue', `${op} argument's entries must be objects`);
    return compileFilter(sub, opts);
  });
}

/** Compiles a filter document into a predicate; throws CommandError for a malformed filter. */
export function compileFilter(filter: Document, opts: MatchOptions = {}): Pred {
  const preds: Pred[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (!key.startsWith('$')) {
      preds.push(fieldClause(key, cond, opts));
      continue;
    }
    switch (key) {
      case '$and':
        preds.push(all(logical(key, cond, opts)));
        break;
      case '$or': {
        const subs = logical(key, cond, opts);
        preds.push((doc) => subs.some((p) => p(doc)));
        break;
      }
      case '$nor': {
        const subs = logical(key, cond, opts);
        preds.push((doc) => !subs.some((p) => p(doc)));
        break;
      }
      case '$comment':
        break;
      case '$alwaysTrue':
        break;
      case '$alwaysFalse':
        preds.push(() => false);
        break;
      case '$expr':
      case '$jsonSchema': {
        const q = new Query({ [key]: cond }, opts.vars ? { ...MINGO_OPTS, variables: opts.vars } : MINGO_OPTS);
        preds.push((doc) => q.test(doc));
        break;
      }
      case '$where':
        throw new CommandError('BadValue', '$where is not allowed: the embedded server runs no server-side JavaScript');
      case '$text':
        throw new CommandError('IndexNotFound', 'text index required for $text query (the embedded server has no text indexes)');
      default:
        throw new CommandError('BadValue', `unknown top level operator: ${key}`);
    }
  }
  if (preds.length === 0) return () => true;
  return all(preds);
}

/** Whether a filter uses $expr anywhere (whose variables only mingo evaluates). */
export function usesExpr(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(usesExpr);
  if (!isPlainObject(filter)) return false;
  for (const [k, v] of Object.entries(filter)) if (k === '$expr' || usesExpr(v)) return true;
  return false;
}
