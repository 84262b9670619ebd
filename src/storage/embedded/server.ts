/**
 * The TCP side: one net.Server on 127.0.0.1, a byte buffer per connection cut into messages,
 * commands run one at a time per connection (synchronously, so each is atomic), replies sent once
 * the command's writes are durable. A malformed message closes only its own connection.
 */
import net from 'node:net';
import type { Document } from 'bson';
import { runCommand, type Ctx, type ServerInfo } from './commands/index';
import type { Catalog } from './catalog';
import { CursorRegistry } from './cursor';
import { MAX_MESSAGE_SIZE, MSG_MORE_TO_COME, OP_MSG, WireError, parseMessage, serializeMsg, serializeReply, type Request } from './wire';

export interface EmbeddedLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the server needs from the storage layer to know when a write is on disk. */
export interface DurabilityGate {
  /** Sequence number of the last change applied in memory. */
  readonly seq: number;
  /** Resolves once every change up to `seq` is durable (undefined when it already is). */
  waitFor(seq: number): Promise<void> | undefined;
}

const LEGACY_QUERY_OK = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo', 'getnonce']);

export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  readonly cursors = new CursorRegistry();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly catalog: Catalog,
    private readonly gate: DurabilityGate,
    private readonly info: ServerInfo,
    private readonly log: EmbeddedLogger,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'embedded mongo: server error'));
    this.reaper = setInterval(() => this.cursors.reap(), 60_000);
    this.reaper.unref();
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    // Received bytes not yet cut into messages: chunks are joined only once a whole message is in,
    // so a large message arriving in many small chunks is copied once, not once per chunk.
    let chunks: Buffer[] = [];
    let buffered = 0;
    let busy = false;
    let dead = false;
    const ctxBase = { catalog: this.catalog, cursors: this.cursors, connectionId, server: this.info };

    const fail = (reason: string) => {
      if (dead) return;
      dead = true;
      this.log.warn({ connectionId, remote: socket.remoteAddress, reason }, 'embedded mongo: closing connection after a malformed message');
      socket.destroy();
    };

    const take = (n: number): Buffer => {
      if (chunks[0].length < n) chunks = [Buffer.concat(chunks, buffered)];
      const first = chunks[0];
      const out = first.subarray(0, n);
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
      buffered -= n;
      return out;
    };
    const peekLength = (): number => {
      if (chunks[0].length < 4) chunks = [Buffer.concat(chunks, buffered)];
      return chunks[0].readInt32LE(0);
    };

    const drain = () => {
      while (!busy && !dead) {
        if (buffered < 4) return;
        const len = peekLength();
        if (len < 16 || len > MAX_MESSAGE_SIZE) return fail(`bad message length ${len}`);
        if (buffered < len) return;
        const msg = take(len);
        let req: Request;
        try {
          req = parseMessage(msg);
        } catch (err) {
          return fail(err instanceof WireError ? err.message : String(err));
        }
        let pending: Promise<void> | undefined;
        try {
          pending = this.handle(req, ctxBase, socket);
        } catch (err) {
          this.log.error({ err, connectionId }, 'embedded mongo: unexpected failure handling a message');
          return fail('internal error');
        }
        if (pending) {
          busy = true;
          pending.then(
            () => {
              busy = false;
              drain();
            },
            (err) => {
              this.log.error({ err, connectionId }, 'embedded mongo: failure sending a reply');
              fail('internal error');
            },
          );
        }
      }
    };

    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      drain();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      dead = true;
      this.sockets.delete(socket);
    });
  }

  /** Runs one request; returns a promise only when the reply waits for the disk. */
  private handle(req: Request, base: Omit<Ctx, 'db'>, socket: net.Socket): Promise<void> | undefined {
    let cmd: Document = req.command;
    let db: string;
    if (req.opCode === OP_MSG) {
      db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
    } else {
      const dot = req.fullCollectionName.indexOf('.');
      db = dot > 0 ? req.fullCollectionName.slice(0, dot) : 'admin';
      if (cmd.$query && typeof cmd.$query === 'object') cmd = cmd.$query as Document;
      const name = Object.keys(cmd)[0] ?? '';
      if (!req.fullCollectionName.endsWith('.$cmd') || !LEGACY_QUERY_OK.has(name)) {
        socket.write(
          serializeReply(req.requestId, {
            ok: 0,
            errmsg: 'OP_QUERY is only supported for the handshake; use OP_MSG',
            code: 352,
            codeName: 'UnsupportedOpQueryCommand',
          }),
        );
        return undefined;
      }
    }
    const before = this.gate.seq;
    const reply = runCommand(cmd, { ...base, db });
    const after = this.gate.seq;
    const send = (answer: Document = reply) => {
      if (req.opCode === OP_MSG && req.flags & MSG_MORE_TO_COME) return;
      let bytes: Buffer;
      try {
        bytes = req.opCode === OP_MSG ? serializeMsg(req.requestId, answer) : serializeReply(req.requestId, answer);
      } catch (err) {
        const e = { ok: 0, errmsg: `could not encode the reply: ${(err as Error).message}`, code: 10334, codeName: 'BSONObjectTooLarge' };
        bytes = req.opCode === OP_MSG ? serializeMsg(req.requestId, e) : serializeReply(req.requestId, e);
      }
      if (!socket.destroyed) socket.write(bytes);
    };
    const wait = after !== before ? this.gate.waitFor(after) : undefined;
    if (!wait) {
      send();
      return undefined;
    }
    // If the disk fails, the write is not acknowledged: the client gets an error, never an ok.
    return wait.then(
      () => send(),
      (err: Error) => {
        this.log.error({ err }, 'embedded mongo: a write could not be made durable');
        send({ ok: 0, errmsg: `the write could not be made durable: ${err.message}`, code: 1, codeName: 'InternalError' });
      },
    );
  }
}
