/**
 * MongoDB wire framing: message header, OP_MSG (body + document sequences, checksum), the legacy
 * OP_QUERY handshake and its OP_REPLY answer. BSON encoding itself is the `bson` package's job.
 */
import { BSON, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
export const MSG_EXHAUST_ALLOWED = 1 << 16;

/** Largest message we accept (MongoDB's maxMessageSizeBytes). */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

/** Thrown for anything that makes a message unreadable; the server closes the connection. */
export class WireError extends Error {}

export interface MsgRequest {
  opCode: typeof OP_MSG;
  requestId: number;
  flags: number;
  /** The body document with document sequences merged in as arrays. */
  command: Document;
}

export interface QueryRequest {
  opCode: typeof OP_QUERY;
  requestId: number;
  flags: number;
  fullCollectionName: string;
  command: Document;
}

export type Request = MsgRequest | QueryRequest;

const BSON_OPTS = { validation: { utf8: false } } as const;

// --- crc32c (Castagnoli), table driven ---------------------------------------------------------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function readCString(buf: Buffer, offset: number, end: number): [string, number] {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireError('unterminated cstring');
  return [buf.toString('utf8', offset, zero), zero + 1];
}

function readDocument(buf: Buffer, offset: number, end: number): [Document, number] {
  if (offset + 5 > end) throw new WireError('truncated document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new WireError(`bad document length ${size}`);
  if (buf[offset + size - 1] !== 0) throw new WireError('document not NUL-terminated');
  let doc: Document;
  try {
    doc = BSON.deserialize(buf.subarray(offset, offset + size), BSON_OPTS);
  } catch (err) {
    throw new WireError(`bad BSON: ${(err as Error).message}`);
  }
  return [doc, offset + size];
}

/**
 * Parses one complete message (`buf` holds exactly messageLength bytes).
 * Throws WireError on anything malformed.
 */
export function parseMessage(buf: Buffer): Request {
  if (buf.length < 16) throw new WireError('message shorter than its header');
  const length = buf.readInt32LE(0);
  if (length !== buf.length) throw new WireError('length mismatch');
  const requestId = buf.readInt32LE(4);
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) {
    if (length < 21) throw new WireError('OP_MSG too short');
    const flags = buf.readUInt32LE(16);
    // Unknown required flag bits (0-15 other than the two defined) must make us fail.
    if (flags & 0xfffc) throw new WireError(`unsupported OP_MSG flags ${flags}`);
    let end = length;
    if (flags & MSG_CHECKSUM_PRESENT) {
      end -= 4;
      if (end < 21) throw new WireError('OP_MSG too short for checksum');
      const expected = buf.readUInt32LE(end);
      if (crc32c(buf, 0, end) !== expected) throw new WireError('OP_MSG checksum mismatch');
    }
    let offset = 20;
    let body: Document | undefined;
    const sequences: Array<[string, Document[]]> = [];
    while (offset < end) {
      const kind = buf[offset++];
      if (kind === 0) {
        if (body) throw new WireError('two body sections');
        [body, offset] = readDocument(buf, offset, end);
      } else if (kind === 1) {
        if (offset + 4 > end) throw new WireError('truncated document sequence');
        const size = buf.readInt32LE(offset);
        const seqEnd = offset + size;
        if (size < 5 || seqEnd > end) throw new WireError('bad document sequence length');
        let id: string;
        [id, offset] = readCString(buf, offset + 4, seqEnd);
        const docs: Document[] = [];
        while (offset < seqEnd) {
          let d: Document;
          [d, offset] = readDocument(buf, offset, seqEnd);
          docs.push(d);
        }
        sequences.push([id, docs]);
      } else {
        throw new WireError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new WireError('OP_MSG without body');
    for (const [id, docs] of sequences) {
      const existing = body[id];
      body[id] = Array.isArray(existing) ? existing.concat(docs) : docs;
    }
    return { opCode: OP_MSG, requestId, flags, command: body };
  }
  if (opCode === OP_QUERY) {
    const flags = buf.readInt32LE(16);
    const [fullCollectionName, afterName] = readCString(buf, 20, length);
    if (afterName + 8 > length) throw new WireError('truncated OP_QUERY');
    const [command] = readDocument(buf, afterName + 8, length);
    return { opCode: OP_QUERY, requestId, flags, fullCollectionName, command };
  }
  throw new WireError(`unsupported opcode ${opCode}`);
}

let nextResponseId = 1;

function header(size: number, length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(size);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** Serializes an OP_MSG reply carrying one body document (flags 0, one kind-0 section). */
export function serializeMsg(responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const head = header(21, 21 + body.length, responseTo, OP_MSG);
  return Buffer.concat([head, body], head.length + body.length);
}

/** Serializes an OP_REPLY carrying one document (the answer to a legacy OP_QUERY command). */
export function serializeReply(responseTo: number, doc: Document): Buffer {
  const body = BSON.serialize(doc);
  const head = header(36, 36 + body.length, responseTo, OP_REPLY);
  head.writeInt32LE(1, 32); // numberReturned; responseFlags, cursorId and startingFrom stay 0
  return Buffer.concat([head, body], head.length + body.length);
}

/**
 * Builds an OP_MSG request (for tests and the fuzzer): a body section, optional document sequences
 * (kind 1, e.g. `{ documents: [...] }` for insert) and an optional CRC-32C checksum.
 */
export function buildMsg(
  requestId: number,
  doc: Document,
  opts: { checksum?: boolean; flags?: number; sequences?: Record<string, Document[]> } = {},
): Buffer {
  const parts: Buffer[] = [Buffer.alloc(21)];
  parts[0][20] = 0;
  parts.push(Buffer.from(BSON.serialize(doc)));
  for (const [id, docs] of Object.entries(opts.sequences ?? {})) {
    const ident = Buffer.from(`${id}\0`);
    const bodies = docs.map((d) => Buffer.from(BSON.serialize(d)));
    const head = Buffer.alloc(5);
    head[0] = 1;
    head.writeInt32LE(4 + ident.length + bodies.reduce((a, b) => a + b.length, 0), 1);
    parts.push(head, ident, ...bodies);
  }
  if (opts.checksum) parts.push(Buffer.alloc(4));
  const out = Buffer.concat(parts);
  const flags = (opts.flags ?? 0) | (opts.checksum ? MSG_CHECKSUM_PRESENT : 0);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(OP_MSG, 12);
  out.writeUInt32LE(flags, 16);
  if (opts.checksum) out.writeUInt32LE(crc32c(out, 0, out.length - 4), out.length - 4);
  return out;
}

/** Builds a legacy OP_QUERY command (the old handshake) for tests and the fuzzer. */
export function buildQuery(requestId: number, fullCollectionName: string, doc: Document): Buffer {
  const name = Buffer.from(`${fullCollectionName}\0`);
  const body = Buffer.from(BSON.serialize(doc));
  const head = Buffer.alloc(20);
  const tail = Buffer.alloc(8);
  tail.writeInt32LE(-1, 4); // numberToReturn
  const out = Buffer.concat([head, name, tail, body]);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(OP_QUERY, 12);
  return out;
}
