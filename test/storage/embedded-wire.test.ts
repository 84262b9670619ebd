/**
 * The embedded server's wire framing, byte by byte: CRC-32C, OP_MSG body + document sequences,
 * checksums, moreToCome (no reply), and the legacy OP_QUERY handshake answered with OP_REPLY.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON, type Document } from 'bson';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/storage/embedded/index';
import { MSG_MORE_TO_COME, OP_MSG, OP_REPLY, WireError, buildMsg, buildQuery, crc32c, parseMessage } from '../../src/storage/embedded/wire';
import { silentLogger } from '../helpers/mongo';

/** Sends messages on one connection and collects `count` replies (header fields + document). */
function exchange(port: number, messages: Buffer[], count: number): Promise<{ opCode: number; responseTo: number; doc: Document }[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(Buffer.concat(messages)));
    let buf = Buffer.alloc(0);
    const out: { opCode: number; responseTo: number; doc: Document }[] = [];
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        const m = buf.subarray(0, len);
        buf = buf.subarray(len);
        const opCode = m.readInt32LE(12);
        const docAt = opCode === OP_REPLY ? 36 : 21;
        out.push({ opCode, responseTo: m.readInt32LE(8), doc: BSON.deserialize(m.subarray(docAt)) });
      }
      if (out.length >= count) {
        sock.destroy();
        resolve(out);
      }
    });
    sock.on('error', reject);
  });
}

describe('wire framing', () => {
  it('crc32c matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('merges document sequences into the command body', () => {
    const req = parseMessage(buildMsg(5, { insert: 'c', $db: 'd' }, { sequences: { documents: [{ a: 1 }, { a: 2 }] } }));
    expect(req.opCode).toBe(OP_MSG);
    expect(req.requestId).toBe(5);
    expect(req.command).toEqual({ insert: 'c', $db: 'd', documents: [{ a: 1 }, { a: 2 }] });
  });

  it('verifies checksums and rejects unknown required flag bits', () => {
    const ok = buildMsg(1, { ping: 1, $db: 'admin' }, { checksum: true });
    expect(parseMessage(ok).command).toEqual({ ping: 1, $db: 'admin' });
    const bad = Buffer.from(ok);
    bad[25] ^= 1;
    expect(() => parseMessage(bad)).toThrow(WireError);
    const flagged = buildMsg(1, { ping: 1 }, { flags: 1 << 4 });
    expect(() => parseMessage(flagged)).toThrow(/flags/);
  });
});

describe('embedded server on the wire', () => {
  let server: EmbeddedMongo;
  beforeAll(async () => {
    server = await startEmbeddedMongo({ dataDir: null, port: 0, logger: silentLogger });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers the legacy OP_QUERY isMaster handshake with OP_REPLY as a standalone', async () => {
    const [r] = await exchange(server.port, [buildQuery(7, 'admin.$cmd', { isMaster: 1, client: { application: { name: 'x' } } })], 1);
    expect(r.opCode).toBe(OP_REPLY);
    expect(r.responseTo).toBe(7);
    expect(r.doc).toMatchObject({ ismaster: true, ok: 1, maxWireVersion: expect.any(Number), minWireVersion: 0 });
    expect(r.doc).not.toHaveProperty('setName');
    expect(r.doc).not.toHaveProperty('compression');
  });

  it('answers hello over OP_MSG, accepting the fields drivers add', async () => {
    const [r] = await exchange(
      server.port,
      [
        buildMsg(8, {
          hello: 1,
          helloOk: true,
          compression: ['zstd', 'zlib'],
          $db: 'admin',
          lsid: { id: 1 },
          $clusterTime: { t: 1 },
          $readPreference: { mode: 'primary' },
        }),
      ],
      1,
    );
    expect(r.opCode).toBe(OP_MSG);
    expect(r.responseTo).toBe(8);
    expect(r.doc).toMatchObject({ isWritablePrimary: true, helloOk: true, ok: 1 });
    expect(r.doc).not.toHaveProperty('compression');
  });

  it('sends no reply to a moreToCome message but still applies it', async () => {
    const replies = await exchange(
      server.port,
      [
        buildMsg(20, { insert: 'w0', documents: [{ _id: 1 }], writeConcern: { w: 0 }, $db: 'wire' }, { flags: MSG_MORE_TO_COME }),
        buildMsg(21, { count: 'w0', $db: 'wire' }),
      ],
      1,
    );
    expect(replies[0].responseTo).toBe(21);
    expect(replies[0].doc).toMatchObject({ n: 1, ok: 1 });
  });

  it('inserts documents sent as a document sequence', async () => {
    const [r] = await exchange(
      server.port,
      [buildMsg(30, { insert: 'seq', $db: 'wire' }, { sequences: { documents: [{ _id: 1 }, { _id: 2 }, { _id: 1 }] } })],
      1,
    );
    expect(r.doc).toMatchObject({ n: 2, ok: 1, writeErrors: [{ index: 2, code: 11000 }] });
  });
});
