/**
 * The bench baseline: a wire server that does nothing. It answers the handshake, every insert with
 * {n: 1}, every find with one canned document, anything else with {ok: 1}. The embedded server's
 * figures are reported as ratios to it (same process, same run), which cancels machine noise.
 */
import net from 'node:net';
import { BSON, Long } from 'bson';

function reply(requestId: number, doc: object, legacy: boolean): Buffer {
  const body = BSON.serialize(doc);
  const head = Buffer.alloc(legacy ? 36 : 21);
  head.writeInt32LE(head.length + body.length, 0);
  head.writeInt32LE(requestId, 8);
  head.writeInt32LE(legacy ? 1 : 2013, 12);
  if (legacy) head.writeInt32LE(1, 32);
  return Buffer.concat([head, Buffer.from(body)]);
}

const HELLO = {
  ismaster: true,
  isWritablePrimary: true,
  helloOk: true,
  maxBsonObjectSize: 16777216,
  maxMessageSizeBytes: 48000000,
  maxWriteBatchSize: 100000,
  minWireVersion: 0,
  maxWireVersion: 21,
  logicalSessionTimeoutMinutes: 30,
  ok: 1,
};

export async function startNullWireServer(): Promise<{ uri: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        const id = msg.readInt32LE(4);
        if (msg.readInt32LE(12) === 2004) {
          s.write(reply(id, HELLO, true));
          continue;
        }
        const cmd = BSON.deserialize(msg.subarray(21, 21 + msg.readInt32LE(21)));
        const name = Object.keys(cmd)[0];
        const ns = `${cmd.$db}.${cmd[name]}`;
        if (name === 'insert') s.write(reply(id, { n: 1, ok: 1 }, false));
        else if (name === 'find') s.write(reply(id, { cursor: { firstBatch: [{ _id: 1, k: 1 }], id: Long.ZERO, ns }, ok: 1 }, false));
        else if (name === 'hello' || name === 'isMaster' || name === 'ismaster') s.write(reply(id, HELLO, false));
        else s.write(reply(id, { ok: 1 }, false));
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
