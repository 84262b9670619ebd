/** Databases, collections and indexes: create, drop, list, rename. */
import type { Document } from 'bson';
import { Query } from 'mingo';
import { CommandError } from '../errors';
import { defaultIndexName, normalizeIndexSpec, type IndexSpec } from '../indexes';
import { validateCollectionName } from '../catalog';
import { collectionName, existing, type Handler } from './context';
import { QUERY_OPTS } from '../collection';

export const create: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'create');
  if (cmd.viewOn !== undefined || cmd.capped || cmd.timeseries || cmd.clusteredIndex) {
    const what =
      cmd.viewOn !== undefined
        ? 'views'
        : cmd.capped
          ? 'capped collections'
          : cmd.timeseries
            ? 'time series collections'
            : 'clustered collections';
    throw new CommandError('IllegalOperation', `${what} are not supported by the embedded server`);
  }
  if (existing(ctx, name)) throw new CommandError('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  const opts: Document = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (
      k === 'create' ||
      k.startsWith('$') ||
      [
        'lsid',
        'writeConcern',
        'readConcern',
        'readPreference',
        'txnNumber',
        'autocommit',
        'comment',
        'apiVersion',
        'apiStrict',
        'apiDeprecationErrors',
        'maxTimeMS',
      ].includes(k)
    )
      continue;
    opts[k] = v;
  }
  ctx.catalog.getOrCreate(ctx.db, name, opts);
  return { ok: 1 };
};

export const drop: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const coll = existing(ctx, name);
  if (!coll) return { ok: 1 }; // MongoDB 7+ no longer fails on a missing collection
  const nIndexesWas = coll.indexes.length + 1;
  ctx.catalog.drop(ctx.db, name);
  return { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
};

export const dropDatabase: Handler = (_cmd, ctx) => {
  ctx.catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

export const listCollections: Handler = (cmd, ctx) => {
  const entries: Document[] = [];
  for (const coll of ctx.catalog.dbs.get(ctx.db)?.values() ?? []) {
    entries.push({
      name: coll.name,
      type: 'collection',
      options: coll.options,
      info: { readOnly: false, uuid: coll.uuid },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    });
  }
  let out = entries;
  if (cmd.filter && Object.keys(cmd.filter).length > 0) {
    const q = new Query(cmd.filter as Document, QUERY_OPTS);
    out = out.filter((e) => q.test(e));
  }
  if (cmd.nameOnly) out = out.map((e) => ({ name: e.name, type: e.type }));
  const batchSize = (cmd.cursor as Document | undefined)?.batchSize as number | undefined;
  return { cursor: ctx.cursors.first(`${ctx.db}.$cmd.listCollections`, out, batchSize), ok: 1 };
};

export const listDatabases: Handler = (cmd, ctx) => {
  let dbs: Document[] = [...ctx.catalog.dbs.entries()].map(([name, colls]) => {
    let size = 0;
    for (const c of colls.values()) size += c.docs.size * 64;
    return { name, sizeOnDisk: size, empty: colls.size === 0 };
  });
  if (cmd.filter && Object.keys(cmd.filter).length > 0) {
    const q = new Query(cmd.filter as Document, QUERY_OPTS);
    dbs = dbs.filter((d) => q.test(d));
  }
  if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  return { databases: dbs, totalSize: dbs.reduce((a, d) => a + (d.sizeOnDisk as number), 0), totalSizeMb: 0, ok: 1 };
};

function sameKey(a: Document, b: Document): boolean {
  const ka = Object.entries(a);
  const kb = Object.entries(b);
  return ka.length === kb.length && ka.every(([k, v], i) => kb[i][0] === k && Number(kb[i][1]) === Number(v));
}

const COMPARED_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds'];

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return COMPARED_OPTIONS.every((o) => JSON.stringify(a[o] ?? null) === JSON.stringify(b[o] ?? null));
}

export const createIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  const raw = cmd.indexes;
  if (!Array.isArray(raw) || raw.length === 0) throw new CommandError('BadValue', 'Must specify at least one index to create');
  const specs = raw.map((r) =>
    normalizeIndexSpec({ ...(r as Document), name: (r as Document)?.name ?? defaultIndexName((r as Document)?.key ?? {}) }),
  );
  const { coll, created } = ctx.catalog.getOrCreate(ctx.db, name);
  const before = coll.indexes.length + 1;
  let note: string | undefined;
  let createdAny = false;
  for (const spec of specs) {
    if (spec.name === '_id_' || sameKey(spec.key, { _id: 1 })) {
      if (spec.unique === false) throw new CommandError('InvalidOptions', "The field 'unique' is not valid for an _id index specification");
      note = 'all indexes already exist';
      continue;
    }
    const byName = coll.indexes.find((i) => i.spec.name === spec.name);
    if (byName) {
      if (sameKey(byName.spec.key, spec.key) && sameOptions(byName.spec, spec)) {
        note = 'all indexes already exist';
        continue;
      }
      if (sameKey(byName.spec.key, spec.key)) {
        throw new CommandError(
          'IndexOptionsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
        );
      }
      throw new CommandError(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
      );
    }
    const byKey = coll.indexes.find(
      (i) =>
        sameKey(i.spec.key, spec.key) &&
        JSON.stringify(i.spec.partialFilterExpression ?? null) === JSON.stringify(spec.partialFilterExpression ?? null),
    );
    if (byKey) {
      throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${byKey.spec.name}`);
    }
    if (spec.expireAfterSeconds !== undefined && (typeof spec.expireAfterSeconds !== 'number' || spec.expireAfterSeconds < 0)) {
      throw new CommandError('CannotCreateIndex', "TTL index 'expireAfterSeconds' option must be a non-negative number");
    }
    ctx.catalog.createIndex(coll, spec);
    createdAny = true;
  }
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.length + 1,
    createdCollectionAutomatically: created,
    ok: 1,
  };
  if (!createdAny && note) reply.note = note;
  return reply;
};

export const listIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const coll = existing(ctx, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const batchSize = (cmd.cursor as Document | undefined)?.batchSize as number | undefined;
  return {
    cursor: ctx.cursors.first(
      `${ctx.db}.$cmd.listIndexes.${name}`,
      coll.indexSpecs().map((s) => ({ ...s })),
      batchSize,
    ),
    ok: 1,
  };
};

export const dropIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]);
  const coll = existing(ctx, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.length + 1;
  const which = cmd.index;
  let names: string[];
  if (which === '*') names = coll.indexes.map((i) => i.spec.name);
  else if (typeof which === 'string') names = [which];
  else if (Array.isArray(which)) names = which.map(String);
  else if (which && typeof which === 'object') {
    const found = coll.indexes.find((i) => sameKey(i.spec.key, which as Document));
    if (!found) throw new CommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
    names = [found.spec.name];
  } else throw new CommandError('TypeMismatch', "BSON field 'dropIndexes.index' is missing");
  for (const n of names) {
    if (n === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.some((i) => i.spec.name === n)) throw new CommandError('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) ctx.catalog.dropIndex(coll, n);
  return { nIndexesWas, ok: 1 };
};

export const renameCollection: Handler = (cmd, ctx) => {
  const from = String(cmd.renameCollection ?? '');
  const to = String(cmd.to ?? '');
  const split = (ns: string): [string, string] => {
    const dot = ns.indexOf('.');
    if (dot <= 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
    return [ns.slice(0, dot), validateCollectionName(ns.slice(dot + 1))];
  };
  const [fdb, fname] = split(from);
  const [tdb, tname] = split(to);
  const src = ctx.catalog.get(fdb, fname);
  if (!src) throw new CommandError('NamespaceNotFound', 'Source collection does not exist');
  if (ctx.catalog.get(tdb, tname)) {
    if (!cmd.dropTarget) throw new CommandError('NamespaceExists', 'target namespace exists');
    ctx.catalog.drop(tdb, tname);
  }
  const { coll: dst } = ctx.catalog.getOrCreate(tdb, tname, src.options);
  for (const spec of src.indexes.map((i) => i.spec)) ctx.catalog.createIndex(dst, spec);
  for (const d of src.docs.values()) dst.insert(d);
  ctx.catalog.drop(fdb, fname);
  return { ok: 1 };
};

export const collStats: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'collStats');
  const coll = existing(ctx, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `Collection [${ctx.db}.${name}] not found.`);
  return { ns: coll.ns, count: coll.docs.size, nindexes: coll.indexes.length + 1, ok: 1 };
};

export const dbStats: Handler = (_cmd, ctx) => {
  const colls = [...(ctx.catalog.dbs.get(ctx.db)?.values() ?? [])];
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects: colls.reduce((a, c) => a + c.docs.size, 0),
    indexes: colls.reduce((a, c) => a + c.indexes.length + 1, 0),
    ok: 1,
  };
};
