/** insert, update, delete and findAndModify, with MongoDB's reply shapes and write-error semantics. */
import { ObjectId, type Document } from 'bson';
import { Aggregator, update as mingoUpdate, updateMany as mingoUpdateMany } from 'mingo';
import { CommandError, toErrorReply } from '../errors';
import type { Collection, Doc } from '../collection';
import { QUERY_OPTS } from '../collection';
import { keyOf } from '../indexes';
import { asDoc, cloneDoc, collectionName, letVars, projectDocs, sameDoc, sortDocs, type Ctx, type Handler } from './context';

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
      if (k.startsWith('$')) throw new CommandError('BadValue', `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`);
    }
  }
}

// --- update helpers --------------------------------------------------------------------------------

function isOperatorUpdate(u: Document): boolean {
  const keys = Object.keys(u);
  if (keys.length === 0) return false;
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length !== keys.length) {
    throw new CommandError('FailedToParse', `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`);
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
 * Computes the updated version of `doc` (never mutating it). Returns undefined when the update
 * changes nothing.
 */
function computeUpdate(
  doc: Doc,
  u: Document | Document[],
  arrayFilters: Document[] | undefined,
  query: Document | undefined,
  inserting: boolean,
  vars?: Document,
): Doc | undefined {
  const opts = vars ? { ...QUERY_OPTS, variables: vars } : QUERY_OPTS;
  if (Array.isArray(u)) {
    const [next] = new Aggregator(u, opts).run([cloneDoc(doc)]) as Doc[];
    const out = withIdFirst({ ...next, _id: next._id === undefined ? doc._id : next._id });
    return sameDoc(doc, out) ? undefined : out;
  }
  if (isOperatorUpdate(u)) {
    const mod: Document = { ...u };
    if ('$setOnInsert' in mod) {
      if (inserting) mod.$set = { ...(mod.$set ?? {}), ...asDoc(mod.$setOnInsert, '$setOnInsert') };
      delete mod.$setOnInsert;
    }
    for (const [op, spec] of Object.entries(mod)) {
      if (!spec || typeof spec !== 'object') throw new CommandError('FailedToParse', `Modifiers operate on fields but we found type ${typeof spec} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(spec)}}`);
      if (Object.keys(spec).length === 0) delete mod[op];
    }
    // _id is immutable: setting it to its current value is allowed (and so is choosing it on insert).
    let newId: unknown;
    for (const [op, spec] of Object.entries(mod)) {
      for (const k of Object.keys(spec as Document)) {
        if (k !== '_id' && !k.startsWith('_id.')) continue;
        const v = (spec as Document)[k];
        if (op === '$set' && k === '_id' && (inserting || keyOf(v) === keyOf(doc._id))) {
          if (inserting) newId = v;
          const rest = { ...(spec as Document) };
          delete rest._id;
          if (Object.keys(rest).length) mod[op] = rest;
          else delete mod[op];
          continue;
        }
        throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
    }
    if (Object.keys(mod).length === 0) return newId === undefined ? undefined : withIdFirst({ ...doc, _id: newId });
    const next = cloneDoc(doc);
    if (newId !== undefined) next._id = newId;
    let changed: string[];
    try {
      // The query only matters to the positional operator ("a.$.b"); compiling it costs more than the update.
      const positional = Object.values(mod).some((spec) => Object.keys(spec as Document).some((k) => /(^|\.)\$(\.|$)/.test(k)));
      changed = mingoUpdate(next, mod, arrayFilters, positional ? query : undefined, { cloneMode: 'copy', queryOptions: opts });
    } catch (err) {
      throw new CommandError('BadValue', (err as Error).message);
    }
    if (changed.length === 0) return undefined;
    return withIdFirst(next);
  }
  // replacement
  const next: Doc = { _id: doc._id };
  for (const [k, v] of Object.entries(u)) if (k !== '_id') next[k] = v;
  if ('_id' in u && u._id !== undefined) next._id = u._id;
  return sameDoc(doc, next) ? undefined : next;
}


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
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && !(v as { _bsontype?: string })._bsontype) {
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
function upsertDoc(query: Document, u: Document | Document[], arrayFilters: Document[] | undefined, vars?: Document): Doc {
  let doc: Doc;
  if (!Array.isArray(u) && !isOperatorUpdate(u)) {
    doc = { ...u };
    const seed = equalityFields(query);
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else {
    const seed = cloneDoc(equalityFields(query));
    doc = computeUpdate(seed, u, arrayFilters, undefined, true, vars) ?? seed;
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

function updateOne(coll: Collection, stmt: Document, vars?: Document): UpdateOutcome {
  const q = asDoc(stmt.q, 'q');
  const u = stmt.u as Document | Document[];
  if (!u || typeof u !== 'object') throw new CommandError('FailedToParse', "BSON field 'update.updates.u' is missing");
  const arrayFilters = stmt.arrayFilters as Document[] | undefined;
  const multi = !!stmt.multi;
  if (multi && !Array.isArray(u) && !isOperatorUpdate(u)) {
    throw new CommandError('InvalidOptions', 'multi update is not supported for replacement-style update');
  }
  let matched = coll.match(q, undefined, multi || stmt.sort ? 0 : 1, vars);
  if (stmt.sort && !multi) matched = sortDocs(matched, stmt.sort as Document).slice(0, 1);
  if (matched.length === 0) {
    if (!stmt.upsert) return { n: 0, nModified: 0 };
    const doc = upsertDoc(q, u, arrayFilters, vars);
    coll.insert(doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  if (multi && matched.length > 1 && !vars) {
    const batched = updateAllAtOnce(coll, matched, u, arrayFilters);
    if (batched !== undefined) return { n: matched.length, nModified: batched };
  }
  let nModified = 0;
  for (const old of matched) {
    const next = computeUpdate(old, u, arrayFilters, q, false, vars);
    if (!next) continue;
    coll.replace(old, next);
    nModified++;
  }
  return { n: matched.length, nModified };
}

/**
 * A multi update with plain field paths (no positional `$`, no arrayFilters, no `_id`): one mingo
 * call for every matched document. mingo builds its operator context per call, so calling it per
 * document made an updateMany of 1,000 documents several times slower than reading them.
 * Returns undefined when the update needs the per-document path (which also raises its errors).
 */
function updateAllAtOnce(coll: Collection, matched: Doc[], u: Document | Document[], arrayFilters: Document[] | undefined): number | undefined {
  if (Array.isArray(u) || !isOperatorUpdate(u) || (arrayFilters && arrayFilters.length)) return undefined;
  const mod: Document = { ...u };
  delete mod.$setOnInsert;
  for (const [op, spec] of Object.entries(mod)) {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
    const keys = Object.keys(spec);
    if (keys.length === 0) {
      delete mod[op];
      continue;
    }
    if (keys.some((k) => k === '_id' || k.startsWith('_id.') || k.includes('$'))) return undefined;
  }
  if (Object.keys(mod).length === 0) return 0;
  const nexts = matched.map((d) => cloneDoc(d));
  try {
    mingoUpdateMany(nexts, {}, mod, { cloneMode: 'copy' }, QUERY_OPTS);
  } catch (err) {
    throw new CommandError('BadValue', (err as Error).message);
  }
  let n = 0;
  for (let i = 0; i < matched.length; i++) {
    if (sameDoc(matched[i], nexts[i])) continue;
    coll.replace(matched[i], withIdFirst(nexts[i]));
    n++;
  }
  return n;
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
      errors.push(writeError(i, err));
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
  if (!remove && (u === undefined || u === null)) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && cmd.upsert) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const fields = cmd.fields as Document | undefined;
  const arrayFilters = cmd.arrayFilters as Document[] | undefined;
  const vars = letVars(cmd);
  let coll = ctx.catalog.get(ctx.db, name);
  const project = (d: Doc | undefined): Doc | null => (d ? projectDocs([d], fields, undefined)[0] ?? null : null);

  let target: Doc | undefined;
  if (coll) {
    const matched = coll.match(query, undefined, cmd.sort ? 0 : 1, vars);
    target = sortDocs(matched, cmd.sort as Document | undefined)[0];
  }
  if (remove) {
    if (!target || !coll) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    coll.remove(target);
    return { lastErrorObject: { n: 1 }, value: project(target), ok: 1 };
  }
  if (!target) {
    if (!cmd.upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    coll = coll ?? ctx.catalog.getOrCreate(ctx.db, name).coll;
    const doc = upsertDoc(query, u!, arrayFilters, vars);
    coll.insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: cmd.new ? project(doc) : null,
      ok: 1,
    };
  }
  const next = computeUpdate(target, u!, arrayFilters, query, false, vars);
  if (next) coll!.replace(target, next);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(cmd.new ? (next ?? target) : target),
    ok: 1,
  };
};

export type { Ctx };
