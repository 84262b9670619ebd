/**
 * MongoDB for tests. Every suite that touches storage runs against the embedded server (memory
 * mode, a free port) and, when MONGODB_URI is set, against that real MongoDB as well:
 *
 *   describe.each(storageTargets())('$name', (target) => {
 *     let mongo: TestMongo;
 *     beforeAll(async () => { mongo = await target.start(); });
 *     afterAll(() => mongo.close());
 *     it('...', async () => { const db = mongo.client.db(mongo.dbName); ... });
 *   });
 *
 * Against a real MongoDB each start() uses a fresh database (dropped again by close()).
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedLogger } from '../../src/storage/embedded/index';

export type StorageKind = 'embedded' | 'real';

export interface TestMongo {
  /** Connection string (no database name in the path). */
  uri: string;
  kind: StorageKind;
  /** A database name that is this test's alone (unique per start() against a real MongoDB). */
  dbName: string;
  /** A connected client (closed by close()). */
  client: MongoClient;
  close(): Promise<void>;
}

export interface StorageTarget {
  /** 'embedded' or 'real MongoDB' — handy as the describe.each title ('$name'). */
  name: string;
  kind: StorageKind;
  start(label?: string): Promise<TestMongo>;
}

/** A logger that drops everything (the embedded server's pino output would drown test output). */
export const silentLogger: EmbeddedLogger = { info() {}, warn() {}, error() {} };

export function uniqueDbName(label = 'test'): string {
  const clean = label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30);
  return `t_${clean}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The embedded server in memory mode on a free port, with a connected client. */
export async function startTestMongo(label = 'test'): Promise<TestMongo> {
  const server = await startEmbeddedMongo({ dataDir: null, port: 0, logger: silentLogger });
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  return {
    uri: server.uri,
    kind: 'embedded',
    dbName: uniqueDbName(label),
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

async function startRealMongo(uri: string, label = 'test'): Promise<TestMongo> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const dbName = uniqueDbName(label);
  return {
    uri,
    kind: 'real',
    dbName,
    client,
    async close() {
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

let announced = false;

/** The embedded server always; a real MongoDB too when MONGODB_URI is set (says so once when not). */
export function storageTargets(): StorageTarget[] {
  const targets: StorageTarget[] = [{ name: 'embedded', kind: 'embedded', start: (label) => startTestMongo(label) }];
  const uri = process.env.MONGODB_URI;
  if (uri) {
    targets.push({ name: 'real MongoDB', kind: 'real', start: (label) => startRealMongo(uri, label) });
  } else if (!announced) {
    announced = true;
    console.info('[storage tests] MONGODB_URI is not set: skipping the real-MongoDB run, testing the embedded server only');
  }
  return targets;
}

/** A seeded PRNG (mulberry32), so randomized tests send the same inputs on every run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `cond` until it holds; fails with `what` after a generous timeout (no timing assertions). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
