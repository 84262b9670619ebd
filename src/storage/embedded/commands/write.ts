/** insert, update, delete and findAndModify, with MongoDB's reply shapes and write-error semantics. */
import { ObjectId, type Document } from 'bson';
import { CommandError, toErrorReply } from '../errors';
import type { Collection, Doc } from '../collection';
import { compileQuery } from '../collection';
import { compileUpdate, type CompiledUpdate } from '../update';
import { keyOf } from '../indexes';
import { asDoc, runPipeline, cloneDoc, collectionName, letVars, projectDocs, sameDoc, sortDocs, type Ctx, type Handler } from './context';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [k: string]: unknown;
}

function writeError(index: number, err: unknown): WriteError {
  const r = toErrorReply(err);
  const out: WriteError = { index, code: r.code as number, errmsg: r.errmsg as string };
  if (r.keyPattern) out.keyPattern = r.keyPattern;
  if (r.keyValue) out.keyValue = r.keyValue;
  return out;
}

function finishWrite(reply: Document, errors: WriteError[]): Document {
  if (errors.length) reply.writeErrors = errors;
  reply.ok = 1;
  return reply;
}

function checkNoTransaction(cmd: Document): void {
  if (cmd.autocommit === false || cmd.startTransaction) {
    throw new CommandError(
      'IllegalOperation',
      'Transactions are not supported by the embedded server; point MONGODB_URI at a MongoDB replica set to use them',
    );
  }
}

// --- insert ----------------------------------------------------------------------------------------

export const insert: Handler = (cmd, ctx) => {
  checkNoTransaction(cmd);
  const name = collectionName(cmd, 'insert');
  const docs = cmd.documents;
  if (!Array.isArray(docs)) throw new CommandError('TypeMismatch', "BSON field 'insert.documents' is missing or not an array");
  const ordered = cmd.ordered !== false;
  const { coll } = ctx.catalog.getOrCreate(ctx.db, name);
  const errors: WriteError[] = [];
  let n = 0;
  for (let i = 0; i < docs.length; i++) {
    try {
      const d = docs[i];
      if (!d || typeof d !== 'object' || Array.isArray(d)) throw new CommandError('TypeMismatch', 'document to insert must be an object');
      checkFieldNames(d as Doc);
      coll.insert(d as Doc);
      n++;
    } catch (err) {
      errors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return finishWrite({ n }, errors);
};

/** MongoDB 5.0+ stores $-prefixed and dotted field names, except inside _id. */
function checkFieldNames(d: Doc): void {
  const id = d._id;
  if (id && typeof id === 'object' && !Array.isArray(id) && !(id instanceof Date) && !(id as { _bsontype?: string })._bsontype) {
    for (const k of Object.keys(id)) {
      if (k.startsWith('$'))
        throw new CommandError('BadValue', `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`);
    }
  }
}

// --- update helpers --------------------------------------------------------------------------------

function isOperatorUpdate(u: Document): boolean {
  const keys = Object.keys(u);
  if (keys.length === 0) return false;
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length !== keys.length) {
    throw new CommandError(
      'FailedToParse',
      `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  return ops.length > 0;
}

function withIdFirst(d: Doc): Doc {
  const keys = Object.keys(d);
  if (keys[0] === '_id' || !('_id' in d)) return d;
  const out: Doc = { _id: d._id };
  for (const k of keys) if (k !== '_id') out[k] = d[k];
  return out;
}

/**
 * A parsed update statement: operators (compiled and checked once), a replacement document or an
 * aggregation pipeline. Parsing throws MongoDB's errors before any document is looked at.
 */
class UpdateSpec {
  readonly kind: 'ops' | 'replace' | 'pipeline';
  private readonly compiled?: CompiledUpdate;
  constructor(
    readonly u: Document | Document[],
    readonly arrayFilters: unknown,
    readonly vars?: Document,
  ) {
    if (Array.isArray(u)) this.kind = 'pipeline';
    else if (isOperatorUpdate(u)) {
      this.kind = 'ops';
      this.compiled = compileUpdate(u, arrayFilters);
    } else this.kind = 'replace';
    if (
      this.kind !== 'ops' &&
      arrayFilters !== undefined &&
      arrayFilters !== null &&
      (!Array.isArray(arrayFilters) || arrayFilters.length > 0)
    ) {
      throw new CommandError('FailedToParse', 'arrayFilters may only be specified for update operators');
    }
  }

  /**
   * The updated copy of `doc` (never mutating it), or undefined when the update changes nothing.
   * Every operator is checked against the document first: an error leaves the document as it was.
   */
  apply(doc: Doc, query: Document | undefined, inserting: boolean): Doc | undefined {
    let next: Doc;
    if (this.kind === 'pipeline') {
      const [out] = runPipeline(this.u as Document[], [cloneDoc(doc)], this.vars ? { variables: this.vars } : {});
      next = withIdFirst({ ...out, _id: out._id === undefined ? doc._id : out._id });
      if (!inserting && keyOf(next._id) !== keyOf(doc._id)) throw immutableId();
    } else if (this.kind === 'ops') {
      const c = this.compiled!;
      next = withIdFirst(
        c.apply(doc, { inserting, query, queryPred: c.positional && query ? compileQuery(query, this.vars).test : undefined }),
      );
    } else {
      const u = this.u as Document;
      next = { _id: doc._id };
      for (const [k, v] of Object.entries(u)) if (k !== '_id') next[k] = v;
      if ('_id' in u && u._id !== undefined) {
        if (!inserting && keyOf(u._id) !== keyOf(doc._id)) throw immutableId();
        next._id = u._id;
      }
    }
    return sameDoc(doc, next) ? undefined : next;
  }
}

const immutableId = () =>
  new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");

function setPath(target: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!next || typeof next !== 'object') cur[parts[i]] = {};
    cur = cur[parts[i]] as Doc;
  }
  cur[parts[parts.length - 1]] = value;
}

/** The fields an upsert seeds its new document with: the query's equality conditions. */
function equalityFields(query: Document, out: Doc = {}): Doc {
  for (const [k, v] of Object.entries(query)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) equalityFields(sub as Document, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !(v instanceof Date) &&
      !(v instanceof RegExp) &&
      !(v as { _bsontype?: string })._bsontype
    ) {
      const keys = Object.keys(v);
      if (keys.length > 0 && keys.every((x) => x.startsWith('$'))) {
        if ('$eq' in v) setPath(out, k, (v as Document).$eq);
        continue;
      }
    }
    if (v instanceof RegExp) continue;
    setPath(out, k, v);
  }
  return out;
}

/** Builds (without storing) the document an upsert inserts. */
function upsertDoc(query: Document, spec: UpdateSpec): Doc {
  let doc: Doc;
  if (spec.kind === 'replace') {
    doc = { ...(spec.u as Document) };
    const seed = equalityFields(query);
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else {
    const seed = cloneDoc(equalityFields(query));
    doc = spec.apply(seed, undefined, true) ?? seed;
  }
  if (doc._id === undefined) doc._id = new ObjectId();
  return withIdFirst(doc);
}

// --- update ----------------------------------------------------------------------------------------

interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
}

/** An error part-way through a multi update, with what was done before it (as MongoDB reports). */
class PartialUpdateError extends Error {
  constructor(
    readonly error: unknown,
    readonly done: UpdateOutcome,
  ) {
    super('partial update');
  }
}

function updateOne(coll: Collection, stmt: Document, vars?: Document): UpdateOutcome {
  const q = asDoc(stmt.q, 'q');
  const u = stmt.u as Document | Document[];
  if (!u || typeof u !== 'object') throw new CommandError('FailedToParse', "BSON field 'update.updates.u' is missing");
  const multi = !!stmt.multi;
  const spec = new UpdateSpec(u, stmt.arrayFilters, vars);
  if (multi && spec.kind === 'replace') {
    throw new CommandError('InvalidOptions', 'multi update is not supported for replacement-style update');
  }
  let matched = coll.match(q, undefined, multi || stmt.sort ? 0 : 1, vars);
  if (stmt.sort && !multi) matched = sortDocs(matched, stmt.sort as Document).slice(0, 1);
  if (matched.length === 0) {
    if (!stmt.upsert) return { n: 0, nModified: 0 };
    const doc = upsertDoc(q, spec);
    coll.insert(doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  // One document at a time, each all-or-nothing; each matched document is updated once (the match
  // is a set of stored documents, taken before the first write).
  let n = 0;
  let nModified = 0;
  for (const old of matched) {
    try {
      const next = spec.apply(old, q, false);
      if (next) {
        coll.replace(old, next);
        nModified++;
      }
      n++;
    } catch (err) {
      if (n === 0) throw err;
      throw new PartialUpdateError(err, { n, nModified });
    }
  }
  return { n, nModified };
}

export const update: Handler = (cmd, ctx) => {
  checkNoTransaction(cmd);
  const name = collectionName(cmd, 'update');
  const stmts = cmd.updates;
  if (!Array.isArray(stmts)) throw new CommandError('TypeMismatch', "BSON field 'update.updates' is missing or not an array");
  const ordered = cmd.ordered !== false;
  const errors: WriteError[] = [];
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  for (let i = 0; i < stmts.length; i++) {
    try {
      const stmt = stmts[i] as Document;
      let coll = ctx.catalog.get(ctx.db, name);
      if (!coll) {
        if (!stmt.upsert) continue;
        coll = ctx.catalog.getOrCreate(ctx.db, name).coll;
      }
      const r = updateOne(coll, stmt, letVars(cmd));
      n += r.n;
      nModified += r.nModified;
      if (r.upsertedId !== undefined) upserted.push({ index: i, _id: r.upsertedId });
    } catch (err) {
      if (err instanceof PartialUpdateError) {
        n += err.done.n;
        nModified += err.done.nModified;
      }
      errors.push(writeError(i, err instanceof PartialUpdateError ? err.error : err));
      if (ordered) break;
    }
  }
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  return finishWrite(reply, errors);
};

// --- delete ----------------------------------------------------------------------------------------

export const del: Handler = (cmd, ctx) => {
  checkNoTransaction(cmd);
  const name = collectionName(cmd, 'delete');
  const stmts = cmd.deletes;
  if (!Array.isArray(stmts)) throw new CommandError('TypeMismatch', "BSON field 'delete.deletes' is missing or not an array");
  const ordered = cmd.ordered !== false;
  const coll = ctx.catalog.get(ctx.db, name);
  const errors: WriteError[] = [];
  let n = 0;
  if (!coll) return finishWrite({ n: 0 }, errors);
  for (let i = 0; i < stmts.length; i++) {
    try {
      const stmt = stmts[i] as Document;
      const limit = Number(stmt.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw new CommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const matched = coll.match(asDoc(stmt.q, 'q'), undefined, limit, letVars(cmd));
      for (const d of matched) coll.remove(d);
      n += matched.length;
    } catch (err) {
      errors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return finishWrite({ n }, errors);
};

// --- findAndModify ---------------------------------------------------------------------------------

export const findAndModify: Handler = (cmd, ctx) => {
  checkNoTransaction(cmd);
  const name = collectionName(cmd, Object.keys(cmd)[0]);
  const query = asDoc(cmd.query, 'query');
  const remove = !!cmd.remove;
  const u = cmd.update as Document | Document[] | undefined;
  if (remove && u !== undefined) throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && (u === undefined || u === null))
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && cmd.upsert) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const fields = cmd.fields as Document | undefined;
  const vars = letVars(cmd);
  const spec = remove ? undefined : new UpdateSpec(u!, cmd.arrayFilters, vars);
  let coll = ctx.catalog.get(ctx.db, name);
  const project = (d: Doc | undefined): Doc | null => (d ? (projectDocs([d], fields, undefined)[0] ?? null) : null);

  let target: Doc | undefined;
  if (coll) {
    const sort = cmd.sort as Document | undefined;
    const inOrder = sort && typeof sort === 'object' ? coll.matchSorted(query, sort, 1, undefined, vars) : undefined;
    if (inOrder) target = inOrder[0];
    else target = sortDocs(coll.match(query, undefined, sort ? 0 : 1, vars), sort)[0];
  }
  if (remove) {
    if (!target || !coll) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    coll.remove(target);
    return { lastErrorObject: { n: 1 }, value: project(target), ok: 1 };
  }
  if (!target) {
    if (!cmd.upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    coll = coll ?? ctx.catalog.getOrCreate(ctx.db, name).coll;
    const doc = upsertDoc(query, spec!);
    coll.insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: cmd.new ? project(doc) : null,
      ok: 1,
    };
  }
  const next = spec!.apply(target, query, false);
  if (next) coll!.replace(target, next);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(cmd.new ? (next ?? target) : target),
    ok: 1,
  };
};

export type { Ctx };
