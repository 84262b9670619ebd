/**
 * Fuzzing the embedded server's wire layer: random bytes and mutated valid messages (bit flips,
 * truncation, wrong lengths, unknown opcodes, bad BSON, bad checksums, bad document sequences).
 * Whatever arrives, the server must stay up, close only the offending connection (with a log
 * line), and answer a fresh client afterwards. Seeded PRNG, so every run sends the same bytes.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/storage/embedded/index';
import { buildMsg, buildQuery, crc32c } from '../../src/storage/embedded/wire';
import { seededRandom } from '../helpers/mongo';

const warnings: string[] = [];
const logger = {
  info() {},
  warn(obj: object, msg?: string) {
    warnings.push(`${msg} ${JSON.stringify(obj)}`);
  },
  error(obj: object, msg?: string) {
    warnings.push(`ERROR ${msg} ${JSON.stringify(obj)}`);
  },
};

/**
 * Sends bytes on a fresh connection; resolves when the server closes it, answers, or after
 * `quietMs` of silence (a message announcing more bytes than it has just waits for them).
 */
function send(port: number, bytes: Buffer, quietMs = 300): Promise<'closed' | 'answered' | 'silent'> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (how: 'closed' | 'answered' | 'silent') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => finish('silent'), quietMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', () => finish('answered'));
    sock.on('close', () => finish('closed'));
    sock.on('error', () => finish('closed'));
  });
}

function validMessages(): Buffer[] {
  return [
    buildMsg(1, { ping: 1, $db: 'admin' }),
    buildMsg(2, { insert: 'fz', documents: [{ _id: 1, a: [1, 2, { b: 'c' }] }], $db: 'fuzz' }),
    buildMsg(3, { find: 'fz', filter: { a: { $gt: 0 } }, sort: { a: 1 }, $db: 'fuzz' }, { checksum: true }),
    buildMsg(4, { update: 'fz', updates: [{ q: { _id: 1 }, u: { $set: { x: 1 } }, upsert: true }], $db: 'fuzz' }),
    buildMsg(5, { aggregate: 'fz', pipeline: [{ $group: { _id: '$a', n: { $sum: 1 } } }], cursor: {}, $db: 'fuzz' }),
    buildMsg(6, { insert: 'fz', $db: 'fuzz' }, { sequences: { documents: [{ a: 1 }, { b: 'x' }] } }),
    buildQuery(7, 'admin.$cmd', { isMaster: 1, client: { driver: { name: 'fuzz' } } }),
  ];
}

function mutate(rand: () => number, base: Buffer): Buffer {
  const b = Buffer.from(base);
  const pick = Math.floor(rand() * 9);
  const at = (max: number) => Math.floor(rand() * max);
  switch (pick) {
    case 0: // flip some bytes anywhere past the length field
      for (let i = 0, k = 1 + at(6); i < k; i++) b[4 + at(b.length - 4)] = at(256);
      return b;
    case 1: // flip bytes inside the body (keeps the framing plausible)
      for (let i = 0, k = 1 + at(4); i < k; i++) b[21 + at(Math.max(1, b.length - 21))] ^= 1 << at(8);
      return b;
    case 2: {
      // truncate and fix the length so the message is "complete" but its contents are not
      const len = 16 + at(b.length - 16);
      const t = b.subarray(0, len);
      t.writeInt32LE(len, 0);
      return Buffer.from(t);
    }
    case 3: // a length field that lies (too small, negative, huge)
      b.writeInt32LE([0, 3, 15, -1, 0x7fffffff, 48_000_001, b.length - 1][at(7)], 0);
      return b;
    case 4: // unknown or legacy opcode
      b.writeInt32LE([1, 2001, 2002, 2005, 2006, 2010, 2012, 9999, -5][at(9)], 12);
      return b;
    case 5: // random flag bits (required bits, checksum without checksum, moreToCome)
      b.writeUInt32LE((rand() * 0x100000000) >>> 0, 16);
      return b;
    case 6: {
      // append garbage and fix the length: trailing sections of random kinds
      const extra = Buffer.alloc(1 + at(40));
      for (let i = 0; i < extra.length; i++) extra[i] = at(256);
      const out = Buffer.concat([b, extra]);
      out.writeInt32LE(out.length, 0);
      return out;
    }
    case 7: {
      // a BSON document length inside the body that lies
      if (b.length > 25) b.writeInt32LE([4, 5, 0x7fffffff, -20, b.length * 2][at(5)], 21);
      return b;
    }
    default: {
      // valid framing with a checksum that does not match
      const out = Buffer.concat([b, Buffer.from([1, 2, 3, 4])]);
      out.writeInt32LE(out.length, 0);
      out.writeUInt32LE((out.readUInt32LE(16) | 1) >>> 0, 16);
      out.writeUInt32LE((crc32c(out, 0, out.length - 4) + 1) >>> 0, out.length - 4);
      return out;
    }
  }
}

describe('embedded server under malformed input', () => {
  let server: EmbeddedMongo;

  beforeAll(async () => {
    server = await startEmbeddedMongo({ dataDir: null, port: 0, logger });
  });
  afterAll(async () => {
    await server.close();
  });

  async function expectHealthy(): Promise<void> {
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.connect();
      const coll = client.db('fuzz_check').collection('c');
      await coll.insertOne({ ok: true });
      expect(await coll.countDocuments({ ok: true })).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }

  it('a valid message gets an answer and a checksummed one too', async () => {
    for (const m of validMessages()) expect(await send(server.port, m, 20_000)).toBe('answered');
  });

  it('closes the connection on a bad length, unknown opcode, bad BSON or bad checksum, with a log line', async () => {
    const ping = buildMsg(9, { ping: 1, $db: 'admin' });
    const badLength = Buffer.from(ping);
    badLength.writeInt32LE(8, 0);
    const badOpcode = Buffer.from(ping);
    badOpcode.writeInt32LE(4242, 12);
    const badBson = Buffer.from(ping);
    badBson.writeInt32LE(1000, 21);
    const badSum = buildMsg(10, { ping: 1, $db: 'admin' }, { checksum: true });
    badSum[badSum.length - 1] ^= 0xff;
    const before = warnings.length;
    for (const m of [badLength, badOpcode, badBson, badSum]) expect(await send(server.port, m, 20_000)).toBe('closed');
    expect(warnings.length - before).toBe(4);
    expect(warnings.slice(before).join('\n')).toMatch(/malformed message/);
    await expectHealthy();
  });

  it('survives random bytes', async () => {
    const rand = seededRandom(12345);
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 150; i++) {
      const len = 1 + Math.floor(rand() * 200);
      const bytes = Buffer.alloc(len);
      for (let j = 0; j < len; j++) bytes[j] = Math.floor(rand() * 256);
      // half the time make the length field agree, so the body gets parsed
      if (rand() < 0.5 && len >= 4) bytes.writeInt32LE(len, 0);
      jobs.push(send(server.port, bytes));
      if (jobs.length >= 30) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    await expectHealthy();
  });

  it('survives mutated valid messages', async () => {
    const rand = seededRandom(777);
    const bases = validMessages();
    const outcomes = { closed: 0, answered: 0, silent: 0 };
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const m = mutate(rand, bases[i % bases.length]);
      jobs.push(send(server.port, m).then((how) => void outcomes[how]++));
      if (jobs.length >= 40) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    expect(outcomes.closed).toBeGreaterThan(0);
    expect(warnings.some((w) => w.startsWith('ERROR'))).toBe(false);
    await expectHealthy();
  });

  it('answers every well-framed command with random arguments, and stays up', async () => {
    const rand = seededRandom(4242);
    const names = [
      'find',
      'insert',
      'update',
      'delete',
      'findAndModify',
      'count',
      'distinct',
      'aggregate',
      'getMore',
      'killCursors',
      'createIndexes',
      'listIndexes',
      'dropIndexes',
      'create',
      'drop',
      'listCollections',
      'explain',
      'renameCollection',
      'noSuchThing',
    ];
    const scalar = (): unknown =>
      [() => 1, () => -1, () => 0, () => 1e12, () => 'fz', () => '', () => null, () => true, () => new Date(0), () => '$bad', () => 'a.b'][
        Math.floor(rand() * 11)
      ]();
    const value = (depth = 0): unknown => {
      const r = rand();
      if (depth > 2 || r < 0.5) return scalar();
      if (r < 0.75) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
      const keys = ['$gt', '$in', '$set', '$inc', '$match', '$group', 'a', 'key', 'name', '$or', 'q', 'u', 'limit'];
      const o: Record<string, unknown> = {};
      for (let i = 0, k = Math.floor(rand() * 3); i < k; i++) o[keys[Math.floor(rand() * keys.length)]] = value(depth + 1);
      return o;
    };
    const fields = [
      'filter',
      'documents',
      'updates',
      'deletes',
      'query',
      'update',
      'pipeline',
      'cursor',
      'key',
      'indexes',
      'index',
      'sort',
      'projection',
      'limit',
      'skip',
      'batchSize',
      'collection',
      'remove',
      'new',
      'upsert',
      'to',
      'fields',
      'ordered',
    ];
    const messages: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const name = names[Math.floor(rand() * names.length)];
      const cmd: Record<string, unknown> = { [name]: rand() < 0.8 ? 'fz' : value(), $db: 'fuzz' };
      for (let j = 0, k = Math.floor(rand() * 4); j < k; j++) cmd[fields[Math.floor(rand() * fields.length)]] = value();
      messages.push(buildMsg(1000 + i, cmd));
    }
    // One connection, one command at a time: each must be answered (no timeouts involved).
    const answered = await new Promise<number>((resolve, reject) => {
      const sock = net.connect(server.port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      let next = 0;
      const sendNext = () => {
        if (next === messages.length) {
          sock.destroy();
          resolve(next);
        } else sock.write(messages[next]);
      };
      sock.on('connect', sendNext);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
          buf = buf.subarray(buf.readInt32LE(0));
          next++;
          sendNext();
        }
      });
      sock.on('close', () => reject(new Error(`connection closed after ${next} answers`)));
      sock.on('error', reject);
    });
    expect(answered).toBe(messages.length);
    expect(warnings.some((w) => w.startsWith('ERROR'))).toBe(false);
    await expectHealthy();
  });

  it('survives a message split across many small writes and several messages in one write', async () => {
    const msgs = Buffer.concat([buildMsg(21, { ping: 1, $db: 'admin' }), buildMsg(22, { ping: 1, $db: 'admin' })]);
    const answers = await new Promise<number>((resolve) => {
      const sock = net.connect(server.port, '127.0.0.1');
      let got = Buffer.alloc(0);
      sock.on('connect', async () => {
        for (let i = 0; i < msgs.length; i += 3) {
          sock.write(msgs.subarray(i, i + 3));
          await new Promise((r) => setImmediate(r));
        }
      });
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        let count = 0;
        for (let off = 0; off + 4 <= got.length; off += got.readInt32LE(off)) count++;
        if (count === 2) {
          sock.destroy();
          resolve(count);
        }
      });
    });
    expect(answers).toBe(2);
  });
});
