/**
 * Durability for a data directory: an append-only log of changes, group-committed with fdatasync,
 * periodically compacted into a snapshot; start-up recovery loads the newest snapshot and replays
 * its log, cutting off a torn last record.
 *
 * Files (generation n):
 *   snapshot-<n>.bson   full state when generation n began (absent for n = 0)
 *   log-<n>.bin         every change since that snapshot
 * Record framing in both: [u32 LE payload length][u32 LE crc32c(payload)][payload = one BSON document].
 *
 * The log is preallocated with zeros ahead of the write position, so that an fdatasync after an
 * append flushes only data, not a file-size change (about half the latency on ext4); a zero length
 * ends the log. A clean shutdown trims the zeros; start-up trims them and any torn record.
 *
 * Compaction writes snapshot-<n+1>.tmp, fsyncs it, renames it into place, creates log-<n+1>, fsyncs
 * the directory and only then deletes generation n. A crash at any point leaves either generation n
 * (snapshot + log) or generation n+1 complete.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BSON, Binary, UUID, type Document } from 'bson';
import type { Catalog, CatalogOp } from './catalog';
import { Collection, type Doc } from './collection';
import type { IndexSpec } from './indexes';
import type { DurabilityGate, EmbeddedLogger } from './server';
import { crc32c } from './wire';

const HEADER = 8;
/** Zeroed space kept ahead of the log's write position. */
const PREALLOC_BYTES = 4 * 1024 * 1024;
const MAX_RECORD = 64 * 1024 * 1024;

export interface DurabilityOptions {
  /** Compact once the log is larger than this many bytes (and larger than the last snapshot). */
  compactBytes?: number;
  logger: EmbeddedLogger;
}

function encodeRecord(doc: Document): Buffer {
  const payload = BSON.serialize(doc);
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32c(payload), 4);
  out.set(payload, HEADER);
  return out;
}

/** Reads records until the end or the first damaged one; returns them and the end of the good part. */
function readRecords(buf: Buffer): { records: Document[]; goodBytes: number } {
  const records: Document[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 5 || len > MAX_RECORD || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32c(payload) !== buf.readUInt32LE(off + 4)) break;
    let doc: Document;
    try {
      doc = BSON.deserialize(payload);
    } catch {
      break;
    }
    records.push(doc);
    off += HEADER + len;
  }
  return { records, goodBytes: off };
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function toUUID(v: unknown): UUID | undefined {
  if (v instanceof UUID) return v;
  if (v instanceof Binary) return v.toUUID();
  return undefined;
}

/** Applies one logged or snapshotted change to the catalog without logging it again. */
function applyRecord(catalog: Catalog, r: Document): void {
  const db = r.db as string;
  const c = r.c as string;
  switch (r.t) {
    case 'coll': {
      // snapshot header for a collection: options, uuid and index specs
      const coll = catalog.attach(new Collection(db, c, (r.opts as Document) ?? {}, toUUID(r.uuid)));
      for (const spec of (r.indexes as IndexSpec[]) ?? []) coll.addIndex(spec);
      return;
    }
    case 'createColl':
      if (!catalog.get(db, c)) catalog.attach(new Collection(db, c, (r.opts as Document) ?? {}, toUUID(r.uuid)));
      return;
    case 'dropColl':
      catalog.drop(db, c, false);
      return;
    case 'dropDb':
      catalog.dropDatabase(db, false);
      return;
    case 'createIndex': {
      const coll = catalog.get(db, c);
      const spec = r.spec as IndexSpec;
      if (coll && !coll.indexes.some((i) => i.spec.name === spec.name)) coll.addIndex(spec);
      return;
    }
    case 'dropIndex':
      catalog.get(db, c)?.dropIndex(r.name as string);
      return;
    case 'put': {
      let coll = catalog.get(db, c);
      if (!coll) coll = catalog.attach(new Collection(db, c));
      coll.recoverPut(r.d as Doc);
      return;
    }
    case 'del':
      catalog.get(db, c)?.recoverDel(r.id);
      return;
  }
}

/** Data directories open in this process (a second server on one directory would corrupt it). */
const openDirs = new Map<string, number>();

interface FsExt {
  tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
}

/**
 * fs-native-extensions: an OS-level exclusive lock on the LOCK file's open file description
 * (fcntl F_OFD_SETLK on Linux, flock on macOS, LockFileEx on Windows), which the kernel drops when
 * the holder's descriptors close — on any exit, kill -9 included, before the process is even reaped.
 * Node 20 has no flock of its own. Loaded lazily; undefined where its prebuilt addon cannot load.
 */
let fsExt: FsExt | null | undefined;
function loadFsExt(): FsExt | undefined {
  if (fsExt === undefined) {
    try {
      fsExt = createRequire(import.meta.url)('fs-native-extensions') as FsExt;
    } catch {
      fsExt = null;
    }
  }
  return fsExt ?? undefined;
}

export interface Holder {
  pid: number;
  /** start time of the process in clock ticks after boot (/proc/<pid>/stat field 22), Linux only */
  start?: string;
  boot?: string;
}

export function procStart(pid: number): { start: string; state: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], start: rest[19] };
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function me(): Holder {
  return { pid: process.pid, start: procStart(process.pid)?.start, boot: bootId() };
}

/**
 * Without the OS lock: whether the process that wrote the LOCK is still that same live process. A
 * PID alone is not enough: a zombie (killed, not yet reaped) holds nothing, and after a restart the
 * PID may belong to another process, so the start time and boot id recorded with it must match.
 */
export function holderAlive(h: Holder): boolean {
  if (!h.pid || h.pid === process.pid) return false;
  const p = procStart(h.pid);
  if (p) {
    if (p.state === 'Z' || p.state === 'X') return false;
    if (h.boot && h.boot !== bootId()) return false;
    return h.start === undefined || h.start === p.start;
  }
  if (fs.existsSync('/proc/self/stat')) return false; // /proc exists and the PID is not in it
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(fd: number): Holder | undefined {
  const buf = Buffer.alloc(512);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  const text = buf.subarray(0, n).toString('utf8').trim();
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h === 'object' && h && typeof h.pid === 'number' ? h : undefined;
  } catch {
    const pid = Number(text); // the older format: a bare PID
    return Number.isInteger(pid) && pid > 0 ? { pid } : undefined;
  }
}

/**
 * Takes the directory's LOCK: an exclusive OS lock held for as long as the server has the directory
 * open (released by the kernel however the process ends), with the holder's PID written inside for
 * the error message. Returns the open descriptor, which holds the lock until closed.
 */
function lockDir(dir: string): number {
  const key = path.resolve(dir);
  if (openDirs.has(key)) throw new Error(`embedded mongo: data directory ${dir} is already open in this process`);
  const lockPath = path.join(dir, 'LOCK');
  const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const ext = loadFsExt();
    const holder = readHolder(fd);
    const busy = ext ? !ext.tryLock(fd) : !!holder && holderAlive(holder);
    if (busy) throw new Error(`embedded mongo: data directory ${dir} is in use by process ${holder?.pid ?? '(unknown)'}`);
    const text = Buffer.from(`${JSON.stringify(me())}\n`);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, text, 0, text.length, 0);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  openDirs.set(key, fd);
  return fd;
}

/**
 * Releases the LOCK. The file itself stays: removing it while another process may have it open and
 * be about to lock it would let two processes each hold "the" lock on different files.
 */
function unlockDir(dir: string): void {
  const key = path.resolve(dir);
  const fd = openDirs.get(key);
  openDirs.delete(key);
  if (fd === undefined) return;
  try {
    fs.ftruncateSync(fd, 0);
  } catch {
    // the directory may be gone already
  }
  fs.closeSync(fd);
}

export class Durability implements DurabilityGate {
  seq = 0;
  private durableSeq = 0;
  private pending: Buffer[] = [];
  private flushing = false;
  private scheduled = false;
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private fd: number;
  private gen: number;
  /** Write position in the log (its meaningful length). */
  private logBytes: number;
  /** File size of the log, including preallocated zeros. */
  private allocated: number;
  private snapshotBytes: number;
  private failed: Error | undefined;
  private closed = false;
  private readonly compactBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly catalog: Catalog,
    state: { fd: number; gen: number; logBytes: number; snapshotBytes: number },
    private readonly opts: DurabilityOptions,
  ) {
    this.fd = state.fd;
    this.gen = state.gen;
    this.logBytes = state.logBytes;
    this.allocated = state.logBytes;
    this.snapshotBytes = state.snapshotBytes;
    this.compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
    catalog.onWrite = (op) => this.record(op);
  }

  /** Recovers the catalog from `dir` (creating it if needed) and starts logging its changes. */
  static open(dir: string, catalog: Catalog, opts: DurabilityOptions): Durability {
    fs.mkdirSync(dir, { recursive: true });
    lockDir(dir);
    try {
      return Durability.recover(dir, catalog, opts);
    } catch (err) {
      unlockDir(dir);
      throw err;
    }
  }

  private static recover(dir: string, catalog: Catalog, opts: DurabilityOptions): Durability {
    const names = fs.readdirSync(dir);
    for (const n of names) if (n.endsWith('.tmp')) fs.rmSync(path.join(dir, n), { force: true });
    const gens = names
      .map((n) => /^snapshot-(\d+)\.bson$/.exec(n))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]));
    const gen = gens.length ? Math.max(...gens) : 0;
    let snapshotBytes = 0;
    if (gen > 0) {
      const buf = fs.readFileSync(path.join(dir, `snapshot-${gen}.bson`));
      const { records, goodBytes } = readRecords(buf);
      if (goodBytes !== buf.length) throw new Error(`embedded mongo: snapshot-${gen}.bson in ${dir} is damaged`);
      for (const r of records) applyRecord(catalog, r);
      snapshotBytes = buf.length;
    }
    const logPath = path.join(dir, `log-${gen}.bin`);
    let logBytes = 0;
    let replayed = 0;
    if (fs.existsSync(logPath)) {
      const buf = fs.readFileSync(logPath);
      const { records, goodBytes } = readRecords(buf);
      for (const r of records) applyRecord(catalog, r);
      replayed = records.length;
      if (goodBytes < buf.length) {
        // Zeros are preallocated space; anything else is a record the crash tore.
        const torn = buf.subarray(goodBytes).some((b) => b !== 0);
        if (torn)
          opts.logger.warn({ file: logPath, dropped: buf.length - goodBytes }, 'embedded mongo: cut a torn record off the end of the log');
        fs.truncateSync(logPath, goodBytes);
      }
      logBytes = goodBytes;
    }
    const fd = fs.openSync(logPath, fs.existsSync(logPath) ? 'r+' : 'w+');
    fs.fsyncSync(fd);
    fsyncDir(dir);
    // Leftovers of older generations (a crash during compaction after the new snapshot was in place).
    for (const n of names) {
      const m = /^(snapshot|log)-(\d+)\.(bson|bin)$/.exec(n);
      if (m && Number(m[2]) < gen) fs.rmSync(path.join(dir, n), { force: true });
    }
    opts.logger.info({ dataDir: dir, generation: gen, replayed }, 'embedded mongo: recovered data directory');
    return new Durability(dir, catalog, { fd, gen, logBytes, snapshotBytes }, opts);
  }

  private record(op: CatalogOp): void {
    if (this.closed) return;
    this.pending.push(encodeRecord(op));
    this.seq++;
    if (!this.flushing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  waitFor(seq: number): Promise<void> | undefined {
    if (this.failed) return Promise.reject(this.failed);
    if (seq <= this.durableSeq) return undefined;
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.pending.length === 0 || this.failed) return;
    this.flushing = true;
    const target = this.seq;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    try {
      if (this.logBytes + chunk.length > this.allocated) await this.preallocate(this.logBytes + chunk.length + PREALLOC_BYTES);
      // Copying into the page cache is quick: do it inline and spend the thread-pool hop on fdatasync only.
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off, this.logBytes + off);
      await new Promise<void>((res, rej) => fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())));
      this.logBytes += chunk.length;
      this.markDurable(target);
      if (this.logBytes > this.compactBytes && this.logBytes > this.snapshotBytes) this.compact();
    } catch (err) {
      this.failed = err as Error;
      this.opts.logger.error({ err }, 'embedded mongo: writing the log failed; refusing further acknowledgements');
      for (const w of this.waiters.splice(0)) w.reject(this.failed);
    } finally {
      this.flushing = false;
    }
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Extends the log with zeros (fsync'd, so later appends change no file metadata). */
  private async preallocate(size: number): Promise<void> {
    const fd = this.fd;
    await writeAll(fd, Buffer.alloc(size - this.allocated), this.allocated);
    await new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
    this.allocated = size;
  }

  private markDurable(seq: number): void {
    this.durableSeq = seq;
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) w.seq <= seq ? w.resolve() : keep.push(w);
    this.waiters = keep;
  }

  /**
   * Writes the whole in-memory state as snapshot n+1 and starts log n+1. Synchronous: the state
   * cannot change while it is written, and everything applied so far (including changes still
   * waiting in `pending`) is in the snapshot, so they are durable once it is.
   */
  compact(): void {
    const next = this.gen + 1;
    const tmp = path.join(this.dir, `snapshot-${next}.tmp`);
    const fd = fs.openSync(tmp, 'w');
    let bytes = 0;
    let chunks: Buffer[] = [];
    let chunkBytes = 0;
    const put = (b: Buffer) => {
      chunks.push(b);
      chunkBytes += b.length;
      if (chunkBytes >= 1 << 20) flushChunks();
    };
    const flushChunks = () => {
      if (!chunks.length) return;
      const b = Buffer.concat(chunks);
      let off = 0;
      while (off < b.length) off += fs.writeSync(fd, b, off);
      bytes += b.length;
      chunks = [];
      chunkBytes = 0;
    };
    try {
      for (const coll of this.catalog.collections()) {
        put(
          encodeRecord({
            t: 'coll',
            db: coll.db,
            c: coll.name,
            opts: coll.options,
            uuid: coll.uuid,
            indexes: coll.indexes.map((i) => i.spec),
          }),
        );
        for (const d of coll.docs.values()) put(encodeRecord({ t: 'put', db: coll.db, c: coll.name, d }));
      }
      flushChunks();
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(this.dir, `snapshot-${next}.bson`));
    const newFd = fs.openSync(path.join(this.dir, `log-${next}.bin`), 'w+');
    fs.fsyncSync(newFd);
    fsyncDir(this.dir);
    const oldFd = this.fd;
    const oldGen = this.gen;
    this.fd = newFd;
    this.gen = next;
    this.logBytes = 0;
    this.allocated = 0;
    this.snapshotBytes = bytes;
    this.pending = [];
    this.markDurable(this.seq);
    fs.closeSync(oldFd);
    fs.rmSync(path.join(this.dir, `log-${oldGen}.bin`), { force: true });
    fs.rmSync(path.join(this.dir, `snapshot-${oldGen}.bson`), { force: true });
    this.opts.logger.info({ generation: next, snapshotBytes: bytes }, 'embedded mongo: compacted the log into a snapshot');
  }

  /** Flushes what is pending and closes the log. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length) {
      if (this.failed) break;
      if (!this.flushing) await this.flush();
      else await new Promise((r) => setTimeout(r, 2));
    }
    this.closed = true;
    try {
      if (!this.failed) fs.ftruncateSync(this.fd, this.logBytes); // drop the preallocated zeros
    } finally {
      fs.closeSync(this.fd);
      unlockDir(this.dir);
    }
  }
}

function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number) => {
      fs.write(fd, buf, off, buf.length - off, position + off, (err, n) => {
        if (err) return reject(err);
        if (off + n < buf.length) step(off + n);
        else resolve();
      });
    };
    step(0);
  });
}
