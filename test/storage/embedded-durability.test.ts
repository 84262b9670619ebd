/**
 * The embedded server with a data directory: everything written survives a restart (documents,
 * collections, indexes and their uniqueness, drops), compaction into snapshots keeps it all, a torn
 * last log record or a half-written snapshot is tolerated, and TTL indexes expire documents.
 * (Kill -9 trials are in test/faults/embedded-crash.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedLogger, type EmbeddedMongo } from '../../src/storage/embedded/index';
import { waitFor } from '../helpers/mongo';

const quiet: EmbeddedLogger = { info() {}, warn() {}, error() {} };
const dirs: string[] = [];
const open: { server: EmbeddedMongo; client: MongoClient }[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
  dirs.push(d);
  return d;
}

async function start(dataDir: string, extra: { compactBytes?: number; ttlIntervalMs?: number; logger?: EmbeddedLogger } = {}) {
  const server = await startEmbeddedMongo({ dataDir, port: 0, logger: extra.logger ?? quiet, ...extra });
  const client = new MongoClient(server.uri);
  await client.connect();
  const handle = { server, client };
  open.push(handle);
  return {
    ...handle,
    db: client.db('app'),
    stop: async () => {
      open.splice(open.indexOf(handle), 1);
      await client.close();
      await server.close();
    },
  };
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.client.close().catch(() => {});
    await h.server.close().catch(() => {});
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('embedded server durability', () => {
  it('keeps documents, collections and indexes across a restart', async () => {
    const dir = tmpDir();
    let s = await start(dir);
    const c = s.db.collection('candidates');
    await c.createIndex({ teamId: 1, extId: 1 }, { unique: true, name: 'team_ext' });
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ teamId: 'T', extId: `e${i}`, at: new Date(i) })));
    await c.updateOne({ extId: 'e1' }, { $set: { stage: 'interview' } });
    await c.deleteOne({ extId: 'e2' });
    await s.db.collection('gone').insertOne({ a: 1 });
    await s.db.collection('gone').drop();
    await s.db.createCollection('empty');
    await s.stop();

    s = await start(dir);
    const c2 = s.db.collection('candidates');
    expect(await c2.countDocuments()).toBe(49);
    expect(await c2.findOne({ extId: 'e1' }, { projection: { _id: 0, stage: 1, at: 1 } })).toEqual({ stage: 'interview', at: new Date(1) });
    expect(await c2.findOne({ extId: 'e2' })).toBeNull();
    const names = (await s.db.listCollections().toArray()).map((x) => x.name).sort();
    expect(names).toEqual(['candidates', 'empty']);
    expect((await c2.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'team_ext']);
    const err = await c2.insertOne({ teamId: 'T', extId: 'e3' }).catch((e) => e);
    expect(err.code).toBe(11000);
  });

  it('compacts the log into snapshots and recovers from them', async () => {
    const dir = tmpDir();
    let s = await start(dir, { compactBytes: 8 * 1024 });
    const c = s.db.collection('log');
    for (let i = 0; i < 300; i++) await c.insertOne({ _id: i, pad: 'x'.repeat(100) } as never);
    for (let i = 0; i < 300; i += 3) await c.updateOne({ _id: i } as never, { $set: { touched: true } });
    await c.deleteMany({ _id: { $gte: 290 } } as never);
    const files = fs.readdirSync(dir);
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);
    expect(files.filter((f) => f.startsWith('log-')).length).toBe(1);
    await s.stop();

    s = await start(dir, { compactBytes: 8 * 1024 });
    const c2 = s.db.collection('log');
    expect(await c2.countDocuments()).toBe(290);
    expect(await c2.countDocuments({ touched: true })).toBe(97);
  });

  it('cuts a torn last record off the log and ignores a half-written snapshot', async () => {
    const dir = tmpDir();
    let s = await start(dir);
    await s.db.collection('t').insertMany([{ _id: 1 }, { _id: 2 }] as never);
    await s.stop();
    const log = fs.readdirSync(dir).find((f) => f.startsWith('log-'))!;
    const full = fs.statSync(path.join(dir, log)).size;
    // a record header promising more bytes than follow, as a crash mid-append leaves it
    fs.appendFileSync(path.join(dir, log), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]));
    fs.writeFileSync(path.join(dir, 'snapshot-99.tmp'), 'half a snapshot');
    const warnings: string[] = [];
    s = await start(dir, { logger: { ...quiet, warn: (_o: object, m?: string) => void warnings.push(m ?? '') } });
    expect(await s.db.collection('t').countDocuments()).toBe(2);
    expect(warnings.join()).toMatch(/torn/);
    expect(fs.statSync(path.join(dir, log)).size).toBe(full);
    expect(fs.existsSync(path.join(dir, 'snapshot-99.tmp'))).toBe(false);
    await s.db.collection('t').insertOne({ _id: 3 } as never);
    await s.stop();
    s = await start(dir);
    expect(await s.db.collection('t').countDocuments()).toBe(3);
  });

  it('a damaged record in the middle stops replay there (and never crashes start-up)', async () => {
    const dir = tmpDir();
    let s = await start(dir);
    for (let i = 0; i < 5; i++) await s.db.collection('m').insertOne({ _id: i } as never);
    await s.stop();
    const log = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('log-'))!);
    const bytes = fs.readFileSync(log);
    bytes[bytes.length - 5] ^= 0xff; // corrupt the last record's payload: its crc no longer matches
    fs.writeFileSync(log, bytes);
    s = await start(dir);
    expect(await s.db.collection('m').countDocuments()).toBe(4);
  });

  it('removes documents whose TTL has expired', async () => {
    const dir = tmpDir();
    const s = await start(dir, { ttlIntervalMs: 50 });
    const c = s.db.collection('sessions');
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 60 });
    await c.insertMany([
      { name: 'old', createdAt: new Date(Date.now() - 3_600_000) },
      { name: 'new', createdAt: new Date() },
      { name: 'no date', createdAt: 'yesterday' },
    ]);
    await waitFor(async () => (await c.countDocuments()) === 2, 'the expired document to go');
    expect((await c.find().toArray()).map((d) => d.name).sort()).toEqual(['new', 'no date']);
  });

  it("refuses to open a data directory another live server holds, but takes over a dead one's lock", async () => {
    const dir = tmpDir();
    const s = await start(dir);
    await expect(startEmbeddedMongo({ dataDir: dir, port: 0, logger: quiet })).rejects.toThrow(/already open/);
    await s.stop();
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999'); // a pid that does not exist
    const again = await start(dir);
    await again.stop();
    // the file stays (see lockDir), naming no holder once the server has closed
    expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe('');
  });

  it('refuses a second server on the same port but both memory servers can run side by side', async () => {
    const a = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    const b = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    try {
      expect(a.port).not.toBe(b.port);
      await expect(startEmbeddedMongo({ dataDir: null, port: a.port, logger: quiet })).rejects.toThrow();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
