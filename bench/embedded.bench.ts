/**
 * Embedded MongoDB server figures, each as a ratio to a do-nothing wire server (bench/null-wire-server.ts)
 * measured in the same process and run:
 *   embedded_insert_ops_s        memory mode, sequential insertOne           goal: ratio <= 2
 *   embedded_find_indexed_ops_s  findOne on an indexed field, 100,000 docs   goal: ratio <= 2.5
 *   embedded_insert_fsync_ops_s  data dir, 8 concurrent writers, fsync'd     goal: >= 3,000 ops/s
 *   embedded_index_scaling       indexed equality find at 100,000 vs 1,000   goal: ratio <= 2
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { startEmbeddedMongo } from '../src/storage/embedded/index';
import { startNullWireServer } from './null-wire-server';
import type { BenchMetric, BenchResult } from './types';

const quiet = { info() {}, warn() {}, error() {} };

async function connect(uri: string): Promise<MongoClient> {
  const c = new MongoClient(uri, { maxPoolSize: 16 });
  await c.connect();
  return c;
}

/** Runs `op` n times sequentially; returns operations per second. */
async function seqRate(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternates embedded and baseline measurements (`rounds` rounds each), returns the medians. */
async function interleaved(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number, number]> {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(await a());
    rb.push(await b());
  }
  return [median(ra), median(rb)];
}

function result(
  metric: string,
  value: number,
  baseline: number,
  n: number,
  goal: string,
  extra: Record<string, unknown> = {},
): BenchResult {
  // ratio = time per operation here / time per operation on the baseline
  return {
    metric,
    value: Math.round(value),
    unit: 'ops/s',
    baseline: Math.round(baseline),
    ratio: +(baseline / value).toFixed(2),
    n,
    goal,
    ...extra,
  };
}

const insertMetric: BenchMetric = {
  name: 'embedded_insert_ops_s',
  async run() {
    const emb = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    const nul = await startNullWireServer();
    const ce = await connect(emb.uri);
    const cn = await connect(nul.uri);
    try {
      const n = 4000;
      let k = 0;
      const e = ce.db('bench').collection('ins');
      const z = cn.db('bench').collection('ins');
      await seqRate(500, () => e.insertOne({ w: k++ }));
      await seqRate(500, () => z.insertOne({ w: 1 }));
      const [emb_, base] = await interleaved(
        5,
        () => seqRate(n, () => e.insertOne({ name: 'candidate', n: k++, at: new Date() })),
        () => seqRate(n, () => z.insertOne({ name: 'candidate', n: 1, at: new Date() })),
      );
      return [result('embedded_insert_ops_s', emb_, base, n, 'ratio <= 2')];
    } finally {
      await ce.close();
      await cn.close();
      await emb.close();
      await nul.close();
    }
  },
};

async function fill(coll: Collection, count: number): Promise<void> {
  const batch = 1000;
  for (let i = 0; i < count; i += batch) {
    await coll.insertMany(
      Array.from({ length: Math.min(batch, count - i) }, (_, j) => ({ k: i + j, teamId: `T${(i + j) % 50}`, name: `candidate ${i + j}` })),
    );
  }
}

const findMetric: BenchMetric = {
  name: 'embedded_find_indexed_ops_s',
  emits: ['embedded_index_scaling'],
  async run() {
    const emb = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    const nul = await startNullWireServer();
    const ce = await connect(emb.uri);
    const cn = await connect(nul.uri);
    try {
      const small = ce.db('bench').collection('small');
      const big = ce.db('bench').collection('big');
      await small.createIndex({ k: 1 });
      await big.createIndex({ k: 1 });
      await fill(small, 1_000);
      await fill(big, 100_000);
      const z = cn.db('bench').collection('big');
      const n = 4000;
      let r = 12345;
      const rnd = (m: number) => (r = (r * 1103515245 + 12345) & 0x7fffffff) % m;
      await seqRate(500, () => big.findOne({ k: rnd(100_000) }));
      await seqRate(500, () => z.findOne({ k: 1 }));
      const [e, base] = await interleaved(
        5,
        () => seqRate(n, () => big.findOne({ k: rnd(100_000) })),
        () => seqRate(n, () => z.findOne({ k: rnd(100_000) })),
      );
      const [atBig, atSmall] = await interleaved(
        5,
        () => seqRate(n, () => big.findOne({ k: rnd(100_000) })),
        () => seqRate(n, () => small.findOne({ k: rnd(1_000) })),
      );
      const usBig = 1e6 / atBig;
      const usSmall = 1e6 / atSmall;
      return [
        result('embedded_find_indexed_ops_s', e, base, n, 'ratio <= 2.5', { docs: 100_000 }),
        {
          metric: 'embedded_index_scaling',
          value: +usBig.toFixed(1),
          unit: 'us/find at 100k docs',
          baseline: +usSmall.toFixed(1),
          ratio: +(usBig / usSmall).toFixed(2),
          n,
          goal: 'ratio <= 2',
        },
      ];
    } finally {
      await ce.close();
      await cn.close();
      await emb.close();
      await nul.close();
    }
  },
};

const fsyncMetric: BenchMetric = {
  name: 'embedded_insert_fsync_ops_s',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-bench-'));
    const disk = await startEmbeddedMongo({ dataDir: dir, port: 0, logger: quiet });
    const mem = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    const cd = await connect(disk.uri);
    const cm = await connect(mem.uri);
    try {
      const writers = 8;
      const perWriter = 500;
      const run = async (c: MongoClient) => {
        const coll = c.db('bench').collection('fsync');
        const t0 = process.hrtime.bigint();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i++) await coll.insertOne({ w, i, name: 'candidate', at: new Date() });
          }),
        );
        return (writers * perWriter) / (Number(process.hrtime.bigint() - t0) / 1e9);
      };
      await run(cd);
      await run(cm);
      const [d, m] = await interleaved(
        5,
        () => run(cd),
        () => run(cm),
      );
      return [
        {
          ...result('embedded_insert_fsync_ops_s', d, m, writers * perWriter, '>= 3000 ops/s'),
          baseline_kind: 'embedded memory mode, same 8 writers',
        },
      ];
    } finally {
      await cd.close();
      await cm.close();
      await disk.close();
      await mem.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const metrics: BenchMetric[] = [insertMetric, findMetric, fsyncMetric];
