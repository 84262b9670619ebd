/**
 * Server-side cursors: the rest of a result set kept between find/aggregate and getMore.
 * Documents are held as references to stored objects (which are never mutated in place: updates
 * swap in new objects), so a cursor sees the documents as they were when the query ran.
 */
import { Long, calculateObjectSize, type Document } from 'bson';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
const DEFAULT_FIRST_BATCH = 101;
/** Cursors idle longer than this are dropped (MongoDB's default cursorTimeoutMillis). */
const IDLE_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  batchSize: number;
  lastUsed: number;
}

export class CursorRegistry {
  private readonly open = new Map<bigint, OpenCursor>();
  private nextId = 1n;

  /**
   * Takes the first batch and registers the rest; returns the reply's `cursor` field.
   * `batchSize` undefined = default (101), 0 = an empty first batch, and it is also the size of later
   * batches when > 0; `singleBatch` closes the cursor after the first batch.
   */
  first(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Document {
    const size = batchSize === undefined || batchSize < 0 ? DEFAULT_FIRST_BATCH : batchSize;
    const batch = takeBatch(docs, 0, size);
    let id = 0n;
    if (!singleBatch && batch.length < docs.length) {
      id = this.nextId++;
      this.open.set(id, { ns, docs, pos: batch.length, batchSize: batchSize ?? 0, lastUsed: Date.now() });
    }
    return { firstBatch: batch, id: Long.fromBigInt(id), ns };
  }

  /** Returns the reply's `cursor` field for getMore, or undefined if the cursor is unknown. */
  more(id: bigint, ns: string, batchSize: number | undefined): Document | undefined {
    const c = this.open.get(id);
    if (!c || c.ns !== ns) return undefined;
    const size = batchSize && batchSize > 0 ? batchSize : c.batchSize > 0 ? c.batchSize : Infinity;
    const batch = takeBatch(c.docs, c.pos, size);
    c.pos += batch.length;
    c.lastUsed = Date.now();
    let outId = id;
    if (c.pos >= c.docs.length) {
      this.open.delete(id);
      outId = 0n;
    }
    return { nextBatch: batch, id: Long.fromBigInt(outId), ns };
  }

  kill(ids: bigint[]): { killed: bigint[]; notFound: bigint[] } {
    const killed: bigint[] = [];
    const notFound: bigint[] = [];
    for (const id of ids) (this.open.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  /** Drops cursors nobody has asked for in a long time. */
  reap(now = Date.now()): void {
    for (const [id, c] of this.open) if (now - c.lastUsed > IDLE_MS) this.open.delete(id);
  }

  get size(): number {
    return this.open.size;
  }
}

function takeBatch(docs: Document[], start: number, size: number): Document[] {
  const end = Math.min(docs.length, start + size);
  if (end - start <= 16) return docs.slice(start, end);
  // Large batches: stop before the reply would exceed the maximum document size.
  const out: Document[] = [];
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const s = calculateObjectSize(docs[i]);
    if (out.length > 0 && bytes + s > MAX_BATCH_BYTES) break;
    bytes += s;
    out.push(docs[i]);
  }
  return out;
}
