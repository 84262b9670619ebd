/**
 * Update operators with MongoDB's semantics. An update document is parsed and checked once
 * (unknown modifiers, operand types, conflicting paths, array filters) and then applied to a copy
 * of each document: every operator is checked against that document before anything is stored, so
 * an update either applies whole or fails with MongoDB's error and changes nothing.
 * Fields are applied in MongoDB 5.0's order (lexicographic, numeric names numerically), so new fields
 * are appended in that order.
 * https://www.mongodb.com/docs/manual/reference/operator/update/
 */
import { Decimal128, Long, Timestamp, type Document } from 'bson';
import { CommandError } from './errors';
import { compileFilter, type Pred } from './matcher';
import { bsonType, compareValues, isNumeric, isPlainObject, show, typeNameOf, valuesEqual, type Doc } from './values';
import { cloneDoc } from './clone';

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$setOnInsert',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$bit',
]);

interface PushSpec {
  each: unknown[];
  position?: number;
  slice?: number;
  sort?: number | Doc;
}

interface Entry {
  op: string;
  /** path as written (for messages) */
  path: string;
  parts: string[];
  value: unknown;
  /** $rename: the destination */
  to?: string[];
  push?: PushSpec;
}

export interface UpdateContext {
  inserting: boolean;
  /** the query, for the positional operator */
  query?: Document;
  /** compiled query (to find the position an array matched at) */
  queryPred?: Pred;
}

export interface CompiledUpdate {
  /** The updated copy of `doc` (compare with sameDoc to see whether anything changed). Never mutates `doc`. */
  apply(doc: Doc, ctx: UpdateContext): Doc;
  /** Whether a path uses the positional operator `$`. */
  positional: boolean;
}

const isNumericPart = (p: string) => /^(0|[1-9]\d*)$/.test(p);

/** MongoDB 5.0's field order for update paths: numeric names numerically, others lexicographically. */
function comparePaths(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const na = isNumericPart(a[i]);
    const nb = isNumericPart(b[i]);
    if (na && nb) return Number(a[i]) - Number(b[i]);
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

function checkPath(path: string): string[] {
  if (path === '') throw new CommandError('EmptyFieldName', 'An empty update path is not valid.');
  const parts = path.split('.');
  if (parts.some((p) => p === ''))
    throw new CommandError('EmptyFieldName', `The update path '${path}' contains an empty field name, which is not allowed.`);
  return parts;
}

function numericArg(op: string, path: string, v: unknown): void {
  if (!isNumeric(v)) {
    const verb = op === '$inc' ? 'increment' : 'multiply';
    throw new CommandError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${show(v)}}`);
  }
}

function integral(v: unknown): boolean {
  return isNumeric(v) && Number.isInteger(Number(v));
}

function parsePush(op: string, path: string, v: unknown): PushSpec {
  if (!isPlainObject(v) || !('$each' in v)) return { each: [v] };
  const each = v.$each;
  if (!Array.isArray(each))
    throw new CommandError('BadValue', `The argument to $each in ${op} must be an array but it was of type: ${typeNameOf(each)}`);
  const spec: PushSpec = { each };
  for (const [k, x] of Object.entries(v)) {
    if (k === '$each') continue;
    if (op === '$addToSet') throw new CommandError('BadValue', `Found unexpected fields after $each in $addToSet: ${show(v)}`);
    if (k === '$slice') {
      if (!integral(x))
        throw new CommandError('BadValue', `The value for $slice must be an integer value but was given type: ${typeNameOf(x)}`);
      spec.slice = Number(x);
    } else if (k === '$position') {
      if (!integral(x))
        throw new CommandError('BadValue', `The value for $position must be an integer value, not of type: ${typeNameOf(x)}`);
      spec.position = Number(x);
    } else if (k === '$sort') {
      const bad = () =>
        new CommandError('BadValue', 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
      if (isNumeric(x)) {
        if (Number(x) !== 1 && Number(x) !== -1) throw bad();
        spec.sort = Number(x);
      } else if (isPlainObject(x) && Object.keys(x).length > 0) {
        for (const [f, d] of Object.entries(x)) {
          if (f === '' || f.startsWith('.') || f.endsWith('.') || (Number(d) !== 1 && Number(d) !== -1)) throw bad();
        }
        spec.sort = x;
      } else throw bad();
    } else throw new CommandError('BadValue', `Unrecognized clause in $push: ${k}`);
  }
  void path;
  return spec;
}

function parseEntry(op: string, path: string, v: unknown): Entry {
  const parts = checkPath(path);
  const e: Entry = { op, path, parts, value: v };
  switch (op) {
    case '$inc':
    case '$mul':
      numericArg(op, path, v);
      break;
    case '$pop':
      if (!isNumeric(v) || (Number(v) !== 1 && Number(v) !== -1))
        throw new CommandError('FailedToParse', `$pop expects 1 or -1, found: ${show(v)}`);
      break;
    case '$currentDate':
      if (isPlainObject(v)) {
        const t = v.$type;
        if (Object.keys(v).length !== 1 || (t !== 'date' && t !== 'timestamp')) {
          throw new CommandError(
            'BadValue',
            "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}",
          );
        }
      } else if (typeof v !== 'boolean')
        throw new CommandError(
          'BadValue',
          `${show(v)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
        );
      break;
    case '$push':
    case '$addToSet':
      e.push = parsePush(op, path, v);
      break;
    case '$pullAll':
      if (!Array.isArray(v)) throw new CommandError('BadValue', `$pullAll requires an array argument but was given a ${typeNameOf(v)}`);
      break;
    case '$rename': {
      if (typeof v !== 'string') throw new CommandError('BadValue', `The 'to' field for $rename must be a string: ${path}: ${show(v)}`);
      const to = checkPath(v);
      if (parts.some((p) => p.startsWith('$')))
        throw new CommandError('BadValue', `The source field for $rename may not be dynamic: ${path}`);
      if (to.some((p) => p.startsWith('$')))
        throw new CommandError('BadValue', `The destination field for $rename may not be dynamic: ${v}`);
      if (path === v) throw new CommandError('BadValue', `The source and target field for $rename must differ: ${path}: ${show(v)}`);
      if (path.startsWith(`${v}.`) || v.startsWith(`${path}.`))
        throw new CommandError('BadValue', `The source and target field for $rename must not be on the same path: ${path}: ${show(v)}`);
      e.to = to;
      break;
    }
    case '$bit': {
      if (!isPlainObject(v))
        throw new CommandError(
          'BadValue',
          `The $bit modifier is not compatible with a ${typeNameOf(v)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`,
        );
      const ks = Object.keys(v);
      if (ks.length === 0)
        throw new CommandError(
          'BadValue',
          `You must pass in at least one bitwise operation. The format is: {$bit: {field: {and/or/xor: #}}`,
        );
      for (const k of ks) {
        if (k !== 'and' && k !== 'or' && k !== 'xor')
          throw new CommandError(
            'BadValue',
            `The $bit modifier only supports 'and', 'or', and 'xor', not '${k}' which is an unknown operator: {${k}: ${show(v[k])}}`,
          );
        const x = v[k];
        if (!integral(x) || bsonType(x) === 'Decimal128')
          throw new CommandError(
            'BadValue',
            `The $bit modifier field must be an Integer(32/64 bit); a '${typeNameOf(x)}' is not supported here: {${k}: ${show(x)}}`,
          );
      }
      break;
    }
  }
  return e;
}

/** Rejects two paths where one is a prefix of (or equal to) the other: code 40, as MongoDB does. */
function checkConflicts(paths: { parts: string[]; path: string }[]): void {
  const sorted = [...paths].sort((a, b) => comparePaths(a.parts, b.parts));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a.parts.length <= b.parts.length && a.parts.every((p, j) => p === b.parts[j])) {
      throw new CommandError('ConflictingUpdateOperators', `Updating the path '${b.path}' would create a conflict at '${a.path}'`);
    }
  }
}

const IDENT = /^[a-z][a-zA-Z0-9]*$/;

function parseArrayFilters(arrayFilters: unknown): Map<string, Pred> {
  const out = new Map<string, Pred>();
  if (arrayFilters === undefined || arrayFilters === null) return out;
  if (!Array.isArray(arrayFilters))
    throw new CommandError('TypeMismatch', "BSON field 'arrayFilters' is the wrong type, expected type 'array'");
  for (const f of arrayFilters) {
    if (!isPlainObject(f)) throw new CommandError('TypeMismatch', 'Each array filter must be an object');
    let id: string | undefined;
    for (const k of Object.keys(f)) {
      const top = k.split('.')[0];
      if (k.startsWith('$')) {
        // {$or: [...]} etc.: the identifier is the one its branches use
        continue;
      }
      if (id !== undefined && id !== top)
        throw new CommandError(
          'FailedToParse',
          `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${id}' and '${top}'`,
        );
      id = top;
    }
    if (id === undefined)
      throw new CommandError('FailedToParse', 'Cannot use an expression without a top-level field name in arrayFilters');
    if (!IDENT.test(id))
      throw new CommandError(
        'BadValue',
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    if (out.has(id)) throw new CommandError('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    out.set(id, compileFilter(f));
  }
  return out;
}

// --- applying ----------------------------------------------------------------------------------------

class Apply {
  positionalCache = new Map<string, number>();
  constructor(
    readonly root: Doc,
    readonly original: Doc,
    readonly ctx: UpdateContext,
    readonly filters: Map<string, Pred>,
  ) {}

  /** Concrete paths for a path with `$`, `$[]` and `$[id]` parts (none for an array filter matching nothing). */
  expand(parts: string[], path: string): string[][] {
    let out: string[][] = [[]];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p === '$') {
        out = out.map((prefix) => [...prefix, String(this.position(prefix, path))]);
        continue;
      }
      const m = /^\$\[(.*)\]$/.exec(p);
      if (!m) {
        out = out.map((prefix) => [...prefix, p]);
        continue;
      }
      const id = m[1];
      const filter = id === '' ? undefined : this.filters.get(id);
      if (id !== '' && !filter) throw new CommandError('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
      const next: string[][] = [];
      for (const prefix of out) {
        const arr = getAt(this.root, prefix);
        if (arr === undefined) {
          if (this.ctx.inserting) continue;
          throw new CommandError('BadValue', `The path '${prefix.join('.')}' must exist in the document in order to apply array updates.`);
        }
        if (!Array.isArray(arr))
          throw new CommandError('BadValue', `Cannot apply array updates to non-array element ${prefix[prefix.length - 1]}: ${show(arr)}`);
        arr.forEach((el, j) => {
          if (!filter || filter({ [id]: el })) next.push([...prefix, String(j)]);
        });
      }
      out = next;
    }
    return out;
  }

  /** The index of the first element of the array at `prefix` that the query matched (the `$` operator). */
  private position(prefix: string[], path: string): number {
    const key = prefix.join('.');
    const cached = this.positionalCache.get(key);
    if (cached !== undefined) return cached;
    const fail = () => new CommandError('BadValue', 'The positional operator did not find the match needed from the query.');
    const q = this.ctx.query;
    const pred = this.ctx.queryPred;
    if (this.ctx.inserting || !q || !pred) throw fail();
    const arr = getAt(this.original, prefix);
    if (!Array.isArray(arr)) throw fail();
    if (!queryMentions(q, key)) throw fail();
    for (let j = 0; j < arr.length; j++) {
      const probe = withValueAt(this.original, prefix, [arr[j]]);
      if (pred(probe)) {
        this.positionalCache.set(key, j);
        return j;
      }
    }
    void path;
    throw fail();
  }
}

/** Whether a query has a condition on `path` or below it. */
function queryMentions(q: unknown, path: string): boolean {
  if (Array.isArray(q)) return q.some((x) => queryMentions(x, path));
  if (!isPlainObject(q)) return false;
  for (const [k, v] of Object.entries(q)) {
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (queryMentions(v, path)) return true;
    } else if (k === path || k.startsWith(`${path}.`)) return true;
  }
  return false;
}

function getAt(v: unknown, parts: string[]): unknown {
  let cur = v;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      if (!isNumericPart(p)) return undefined;
      cur = cur[Number(p)];
    } else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A shallow copy of `doc` along `parts` with the value there replaced (for the positional probe). */
function withValueAt(doc: unknown, parts: string[], value: unknown, i = 0): Doc {
  if (i === parts.length) return value as Doc;
  if (Array.isArray(doc)) {
    const c = [...doc];
    c[Number(parts[i])] = withValueAt(doc[Number(parts[i])], parts, value, i + 1);
    return c as unknown as Doc;
  }
  const c = { ...(doc as Doc) };
  c[parts[i]] = withValueAt((doc as Doc)[parts[i]], parts, value, i + 1);
  return c;
}

type Slot = { parent: Doc | unknown[]; key: string; exists: boolean; value: unknown };

function viableError(part: string, holder: string, v: unknown): CommandError {
  return new CommandError('PathNotViable', `Cannot create field '${part}' in element {${holder}: ${show(v)}}`);
}

/**
 * The parent container and key for a concrete path. With `create`, missing documents along the way
 * are made (only once the whole update is known to apply: the document is a private copy).
 * Returns undefined when the path cannot exist and nothing is created.
 */
function slot(root: Doc, parts: string[], create: boolean): Slot | undefined {
  let cur: Doc | unknown[] = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!isNumericPart(p)) {
        if (!create) return undefined;
        throw viableError(p, parts[i - 1] ?? '', cur);
      }
      next = cur[Number(p)];
    } else next = (cur as Doc)[p];
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (next === null) throw viableError(parts[i + 1], p, null);
      const made = {};
      setKey(cur, p, made);
      next = made;
    } else if (!Array.isArray(next) && !isPlainObject(next)) {
      if (!create) return undefined;
      throw viableError(parts[i + 1], p, next);
    }
    cur = next as Doc | unknown[];
  }
  const key = parts[parts.length - 1];
  if (Array.isArray(cur)) {
    if (!isNumericPart(key)) {
      if (!create) return undefined;
      throw viableError(key, parts[parts.length - 2] ?? '', cur);
    }
    const idx = Number(key);
    return { parent: cur, key, exists: idx < cur.length, value: cur[idx] };
  }
  const value = (cur as Doc)[key];
  return { parent: cur, key, exists: value !== undefined, value };
}

function setKey(parent: Doc | unknown[], key: string, v: unknown): void {
  if (Array.isArray(parent)) {
    const idx = Number(key);
    while (parent.length < idx) parent.push(null);
    parent[idx] = v;
  } else parent[key] = v;
}

function unsetKey(s: Slot): void {
  if (!s.exists) return;
  if (Array.isArray(s.parent)) s.parent[Number(s.key)] = null;
  else delete (s.parent as Doc)[s.key];
}

// --- arithmetic --------------------------------------------------------------------------------------

const isLong = (v: unknown) => bsonType(v) === 'Long';
const isDecimal = (v: unknown) => bsonType(v) === 'Decimal128';

function arith(op: '$inc' | '$mul', a: unknown, b: unknown, doc: Doc): unknown {
  if (isDecimal(a) || isDecimal(b)) {
    const x = Number(String(a));
    const y = Number(String(b));
    return Decimal128.fromString(String(op === '$inc' ? x + y : x * y));
  }
  const integer = (v: unknown) => isLong(v) || (typeof v === 'number' && Number.isInteger(v));
  if ((isLong(a) || isLong(b)) && integer(a) && integer(b)) {
    const x = isLong(a) ? (a as Long).toBigInt() : BigInt(a as number);
    const y = isLong(b) ? (b as Long).toBigInt() : BigInt(b as number);
    const r = op === '$inc' ? x + y : x * y;
    if (r > 0x7fffffffffffffffn || r < -0x8000000000000000n) {
      throw new CommandError(
        'BadValue',
        `Failed to apply ${op} operations to current value (${show(a)}) for document {_id: ${show(doc._id)}}`,
      );
    }
    return Long.fromBigInt(r);
  }
  const x = Number(a);
  const y = Number(b);
  return op === '$inc' ? x + y : x * y;
}

function zeroLike(v: unknown): unknown {
  if (isDecimal(v)) return Decimal128.fromString('0');
  if (isLong(v)) return Long.fromNumber(0);
  return 0;
}

function bitOp(cur: unknown, spec: Doc): unknown {
  const long = isLong(cur) || Object.values(spec).some(isLong);
  let r = isLong(cur) ? (cur as Long).toBigInt() : BigInt(cur as number);
  for (const [k, x] of Object.entries(spec)) {
    const y = isLong(x) ? (x as Long).toBigInt() : BigInt(Number(x));
    r = k === 'and' ? r & y : k === 'or' ? r | y : r ^ y;
  }
  return long ? Long.fromBigInt(BigInt.asIntN(64, r)) : Number(BigInt.asIntN(32, r));
}

let tsCounter = 0;
let tsSecond = 0;
/** A BSON Timestamp for $currentDate {$type: 'timestamp'}: seconds, and an increment within the second. */
function nowTimestamp(): Timestamp {
  const s = Math.floor(Date.now() / 1000);
  if (s !== tsSecond) {
    tsSecond = s;
    tsCounter = 0;
  }
  return new Timestamp({ t: s, i: ++tsCounter });
}

// --- $push / $pull helpers ---------------------------------------------------------------------------

function sortForPush(arr: unknown[], sort: number | Doc): unknown[] {
  if (typeof sort === 'number') return [...arr].sort((a, b) => compareValues(a, b) * sort);
  const keys = Object.entries(sort).map(([f, d]) => [f.split('.'), Number(d)] as const);
  const keyOfEl = (el: unknown, parts: readonly string[]) => {
    if (!isPlainObject(el)) return null;
    const v = getAt(el, [...parts]);
    return v === undefined ? null : v;
  };
  return arr
    .map((el, i) => ({ el, i }))
    .sort((a, b) => {
      for (const [parts, d] of keys) {
        const c = compareValues(keyOfEl(a.el, parts), keyOfEl(b.el, parts));
        if (c !== 0) return c * d;
      }
      return a.i - b.i;
    })
    .map((x) => x.el);
}

/** The predicate $pull removes elements by: a query on elements (documents or values) or equality. */
function pullPredicate(cond: unknown): (el: unknown) => boolean {
  if (isPlainObject(cond) && Object.keys(cond).length > 0) {
    const keys = Object.keys(cond);
    if (keys.every((k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor')) {
      const p = compileFilter({ v: cond });
      return (el) => p({ v: el });
    }
    const p = compileFilter(cond);
    return (el) => isPlainObject(el) && p(el);
  }
  if (cond instanceof RegExp) return (el) => typeof el === 'string' && cond.test(el);
  return (el) => valuesEqual(el, cond);
}

// --- the compiled update -----------------------------------------------------------------------------

export function compileUpdate(u: Document, arrayFilters?: unknown): CompiledUpdate {
  const entries: Entry[] = [];
  for (const [op, spec] of Object.entries(u)) {
    if (!op.startsWith('$')) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!OPERATORS.has(op)) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(spec)) {
      throw new CommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeNameOf(spec)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${show(spec)}}`,
      );
    }
    for (const [path, v] of Object.entries(spec)) entries.push(parseEntry(op, path, v));
  }
  const paths: { parts: string[]; path: string }[] = [];
  for (const e of entries) {
    paths.push({ parts: e.parts, path: e.path });
    if (e.to) paths.push({ parts: e.to, path: e.to.join('.') });
  }
  checkConflicts(paths);
  const filters = parseArrayFilters(arrayFilters);
  const used = new Set<string>();
  for (const e of entries)
    for (const p of e.parts) {
      const m = /^\$\[(.+)\]$/.exec(p);
      if (m) used.add(m[1]);
    }
  for (const id of filters.keys()) {
    if (!used.has(id))
      throw new CommandError('FailedToParse', `The array filter for identifier '${id}' was not used in the update ${show(u)}`);
  }
  entries.sort((a, b) => comparePaths(a.to ?? a.parts, b.to ?? b.parts));
  const positional = entries.some((e) => e.parts.includes('$'));

  return {
    positional,
    apply(doc, ctx) {
      const next = cloneDoc(doc);
      const run = new Apply(next, doc, ctx, filters);
      for (const e of entries) {
        if (e.op === '$setOnInsert' && !ctx.inserting) continue;
        if (e.op === '$rename') {
          applyRename(next, e);
          continue;
        }
        for (const parts of run.expand(e.parts, e.path)) applyOne(next, e, parts, doc);
      }
      if (
        !ctx.inserting &&
        (next._id === undefined ? doc._id !== undefined : !valuesEqual(next._id, doc._id) || bsonType(next._id) !== bsonType(doc._id))
      ) {
        throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      return next;
    },
  };
}

function applyRename(root: Doc, e: Entry): void {
  const from = e.parts;
  const to = e.to!;
  // neither side may go through an array
  const through = (parts: string[]) => {
    let cur: unknown = root;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!isPlainObject(cur)) return cur === undefined ? 'missing' : Array.isArray(cur) ? 'array' : 'scalar';
      cur = cur[parts[i]];
      if (cur === undefined) return 'missing';
      if (Array.isArray(cur)) return 'array';
    }
    return isPlainObject(cur) ? 'ok' : 'scalar';
  };
  const src = through(from);
  if (src === 'array')
    throw new CommandError('BadValue', `The source field cannot be an array element, '${e.path}' in doc with ${from[0]} being an array`);
  if (src !== 'ok') return;
  const s = slot(root, from, false);
  if (!s?.exists) return;
  if (through(to) === 'array')
    throw new CommandError(
      'BadValue',
      `The destination field cannot be an array element, '${to.join('.')}' in doc with ${to[0]} being an array`,
    );
  const value = s.value;
  const t = slot(root, to, true)!;
  unsetKey(s);
  setKey(t.parent, t.key, value);
}

function applyOne(root: Doc, e: Entry, parts: string[], original: Doc): void {
  const creates = e.op !== '$unset' && e.op !== '$pop' && e.op !== '$pull' && e.op !== '$pullAll';
  const s = slot(root, parts, creates);
  if (!s) return;
  const path = parts.join('.');
  const cur = s.value;
  const idOf = () => `{_id: ${show(original._id)}}`;
  switch (e.op) {
    case '$set':
    case '$setOnInsert':
      setKey(s.parent, s.key, cloneDoc({ v: e.value }).v);
      return;
    case '$unset':
      unsetKey(s);
      return;
    case '$inc':
    case '$mul':
      if (!s.exists) {
        setKey(s.parent, s.key, e.op === '$inc' ? e.value : zeroLike(e.value));
        return;
      }
      if (!isNumeric(cur)) {
        throw new CommandError(
          'TypeMismatch',
          `Cannot apply ${e.op} to a value of non-numeric type. ${idOf()} has the field '${s.key}' of non-numeric type ${typeNameOf(cur)}`,
        );
      }
      setKey(s.parent, s.key, arith(e.op, cur, e.value, original));
      return;
    case '$min':
    case '$max': {
      if (!s.exists) {
        setKey(s.parent, s.key, cloneDoc({ v: e.value }).v);
        return;
      }
      const c = compareValues(e.value, cur);
      if ((e.op === '$min' && c < 0) || (e.op === '$max' && c > 0)) setKey(s.parent, s.key, cloneDoc({ v: e.value }).v);
      return;
    }
    case '$currentDate': {
      const ts = isPlainObject(e.value) && e.value.$type === 'timestamp';
      setKey(s.parent, s.key, ts ? nowTimestamp() : new Date());
      return;
    }
    case '$bit': {
      const spec = e.value as Doc;
      const base = s.exists ? cur : 0;
      if (!(isLong(base) || (typeof base === 'number' && Number.isInteger(base)))) {
        throw new CommandError(
          'TypeMismatch',
          `Cannot apply $bit to a value of non-integral type.${idOf()} has the field ${s.key} of non-integer type ${typeNameOf(base)}`,
        );
      }
      setKey(s.parent, s.key, bitOp(base, spec));
      return;
    }
    case '$push':
    case '$addToSet': {
      const spec = e.push!;
      if (s.exists && !Array.isArray(cur)) {
        throw new CommandError('BadValue', `The field '${s.key}' must be an array but is of type ${typeNameOf(cur)} in document ${idOf()}`);
      }
      const arr = s.exists ? [...(cur as unknown[])] : [];
      const values = spec.each.map((v) => cloneDoc({ v }).v);
      if (e.op === '$addToSet') {
        for (const v of values) if (!arr.some((x) => valuesEqual(x, v))) arr.push(v);
        setKey(s.parent, s.key, arr);
        return;
      }
      let out: unknown[];
      if (spec.position === undefined) out = [...arr, ...values];
      else {
        let at = spec.position < 0 ? Math.max(0, arr.length + spec.position) : Math.min(spec.position, arr.length);
        if (at > arr.length) at = arr.length;
        out = [...arr.slice(0, at), ...values, ...arr.slice(at)];
      }
      if (spec.sort !== undefined) out = sortForPush(out, spec.sort);
      if (spec.slice !== undefined) out = spec.slice >= 0 ? out.slice(0, spec.slice) : out.slice(Math.max(0, out.length + spec.slice));
      setKey(s.parent, s.key, out);
      return;
    }
    case '$pop': {
      if (!s.exists) return;
      if (!Array.isArray(cur))
        throw new CommandError('TypeMismatch', `Path '${path}' contains an element of non-array type '${typeNameOf(cur)}'`);
      if (cur.length === 0) return;
      setKey(s.parent, s.key, Number(e.value) === 1 ? cur.slice(0, -1) : cur.slice(1));
      return;
    }
    case '$pull':
    case '$pullAll': {
      if (!s.exists) return;
      if (!Array.isArray(cur)) throw new CommandError('BadValue', 'Cannot apply $pull to a non-array value');
      const drop: (el: unknown) => boolean =
        e.op === '$pull' ? pullPredicate(e.value) : (el) => (e.value as unknown[]).some((v) => valuesEqual(el, v));
      const kept = cur.filter((el) => !drop(el));
      if (kept.length !== cur.length) setKey(s.parent, s.key, kept);
      return;
    }
  }
}
