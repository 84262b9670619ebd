/** find, getMore, killCursors, count, distinct, aggregate and explain. */
import { Long, type Document } from 'bson';
import { CommandError } from '../errors';
import type { Doc, PlanInfo } from '../collection';
import { keyOf, valuesAt } from '../indexes';
import { asCount, asDoc, runPipeline, cloneDoc, collectionName, existing, letVars, shape, type Ctx, type Handler } from './context';

function runFind(cmd: Document, ctx: Ctx, plan: PlanInfo): { ns: string; docs: Doc[] } {
  const name = collectionName(cmd, 'find');
  const ns = `${ctx.db}.${name}`;
  const coll = existing(ctx, name);
  if (!coll) return { ns, docs: [] };
  const filter = asDoc(cmd.filter, 'filter');
  const sort = cmd.sort ? asDoc(cmd.sort, 'sort') : undefined;
  const skip = asCount(cmd.skip);
  const limit = Math.abs(asCount(cmd.limit));
  if (skip < 0) throw new CommandError('BadValue', 'skip value must be non-negative');
  const hasSort = sort && Object.keys(sort).length > 0;
  // Without a sort, stop matching as soon as skip+limit documents are found.
  const vars = letVars(cmd);
  // With a sort and a limit, an index in the sort's order is walked until enough documents match.
  const matched =
    (hasSort && limit > 0 ? coll.matchSorted(filter, sort, skip + limit, plan, vars) : undefined) ??
    coll.match(filter, plan, !hasSort && limit > 0 ? skip + limit : 0, vars);
  const docs = shape(matched, { sort, skip, limit, projection: cmd.projection as Document | undefined, filter, vars });
  return { ns, docs };
}

export const find: Handler = (cmd, ctx) => {
  const plan: PlanInfo = { docsExamined: 0, keysExamined: 0 };
  const { ns, docs } = runFind(cmd, ctx, plan);
  // a negative limit is the legacy way of asking for a single batch
  const singleBatch = !!cmd.singleBatch || asCount(cmd.limit) < 0;
  const batchSize = cmd.batchSize === undefined ? undefined : asCount(cmd.batchSize);
  if (batchSize !== undefined && batchSize < 0) throw new CommandError('BadValue', 'batchSize value must be non-negative');
  return { cursor: ctx.cursors.first(ns, docs, batchSize, singleBatch), ok: 1 };
};

export const getMore: Handler = (cmd, ctx) => {
  const raw = cmd.getMore;
  const id = Long.isLong(raw) ? raw.toBigInt() : BigInt(Math.trunc(Number(raw)));
  // not validated as a collection name: listCollections/listIndexes cursors live on "$cmd.…" namespaces
  const name = String(cmd.collection ?? '');
  const cursor = ctx.cursors.more(id, `${ctx.db}.${name}`, cmd.batchSize === undefined ? undefined : asCount(cmd.batchSize));
  if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
  return { cursor, ok: 1 };
};

export const killCursors: Handler = (cmd, ctx) => {
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors : [];
  const { killed, notFound } = ctx.cursors.kill(ids.map((x: unknown) => (Long.isLong(x) ? x.toBigInt() : BigInt(Math.trunc(Number(x))))));
  return {
    cursorsKilled: killed.map((x) => Long.fromBigInt(x)),
    cursorsNotFound: notFound.map((x) => Long.fromBigInt(x)),
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

export const count: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'count');
  const coll = existing(ctx, name);
  if (!coll) return { n: 0, ok: 1 };
  const skip = asCount(cmd.skip);
  const limit = Math.abs(asCount(cmd.limit));
  const query = asDoc(cmd.query, 'query');
  let n = Object.keys(query).length === 0 ? coll.docs.size : coll.match(query, undefined, limit > 0 ? skip + limit : 0).length;
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new CommandError('TypeMismatch', "BSON field 'distinct.key' is missing or not a string");
  const coll = existing(ctx, name);
  if (!coll) return { values: [], ok: 1 };
  const path = cmd.key.split('.');
  const seen = new Map<string, unknown>();
  for (const d of coll.match(asDoc(cmd.query, 'query'))) {
    for (const v of valuesAt(d, path)) {
      if (v === undefined) continue;
      const vals = Array.isArray(v) ? v : [v];
      for (const x of vals) {
        const k = keyOf(x);
        if (!seen.has(k)) seen.set(k, x);
      }
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Stages that never modify the documents they receive, so stored documents can be fed directly. */
const READ_ONLY_STAGES = new Set([
  '$match',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$group',
  '$sortByCount',
  '$bucket',
  '$bucketAuto',
  '$sample',
]);
const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$planCacheStats',
  '$search',
  '$geoNear',
]);

export const aggregate: Handler = (cmd, ctx) => {
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline)) throw new CommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  if (cmd.explain) throw new CommandError('IllegalOperation', 'aggregate explain is not supported by the embedded server');
  for (const stage of pipeline as Document[]) {
    const op = Object.keys(stage ?? {})[0];
    if (UNSUPPORTED_STAGES.has(op)) throw new CommandError('IllegalOperation', `${op} is not supported by the embedded server`);
  }
  if (typeof cmd.aggregate !== 'string')
    throw new CommandError('InvalidNamespace', 'collection-less aggregate is not supported by the embedded server');
  const name = collectionName(cmd, 'aggregate');
  const ns = `${ctx.db}.${name}`;
  const coll = existing(ctx, name);
  let stages = pipeline as Document[];
  let input: Doc[] = [];
  if (coll) {
    if (stages.length > 0 && stages[0].$match) {
      input = coll.match(asDoc(stages[0].$match, '$match'), undefined, 0, letVars(cmd));
      stages = stages.slice(1);
    } else input = [...coll.docs.values()];
    if (!stages.every((s) => READ_ONLY_STAGES.has(Object.keys(s)[0]))) input = input.map((d) => cloneDoc(d));
  }
  const vars = letVars(cmd);
  const out = runPipeline(stages, input, {
    ...(vars ? { variables: vars } : {}),
    collectionResolver: (other: string) => {
      const c = ctx.catalog.get(ctx.db, other);
      return c ? [...c.docs.values()].map((d) => cloneDoc(d)) : [];
    },
  });
  const batchSize = cmd.cursor && typeof cmd.cursor === 'object' ? (cmd.cursor as Document).batchSize : undefined;
  return { cursor: ctx.cursors.first(ns, out, batchSize === undefined ? undefined : asCount(batchSize)), ok: 1 };
};

/** explain for find/count/distinct: the plan and execution statistics (enough to see IXSCAN vs COLLSCAN). */
export const explain: Handler = (cmd, ctx) => {
  const inner = asDoc(cmd.explain, 'explain');
  const innerName = Object.keys(inner)[0];
  if (innerName !== 'find' && innerName !== 'count')
    throw new CommandError('IllegalOperation', `explain of ${innerName} is not supported by the embedded server`);
  const plan: PlanInfo = { docsExamined: 0, keysExamined: 0 };
  const findCmd = innerName === 'find' ? inner : { find: inner.count, filter: inner.query };
  const { ns, docs } = runFind(findCmd, ctx, plan);
  const nReturned = docs.length;
  const scan = plan.index
    ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: plan.index, keysExamined: plan.keysExamined } }
    : { stage: 'COLLSCAN' };
  return {
    queryPlanner: { namespace: ns, winningPlan: scan, rejectedPlans: [] },
    executionStats: {
      executionSuccess: true,
      nReturned,
      totalKeysExamined: plan.keysExamined,
      totalDocsExamined: plan.docsExamined,
      executionStages: scan,
    },
    ok: 1,
  };
};
