/**
 * Kill -9 trials for the embedded server's durability. A child process runs the server
 * (`src/storage/embedded/cli.ts`) on a data directory; this process writes to it with 8 concurrent
 * writers (inserts, plus $inc on a counter), recording every write the server acknowledged. At a
 * random moment the child is killed with SIGKILL, restarted on the same directory, and every
 * acknowledged insert must be there and the counter at least as high as the acknowledged $incs.
 * A tiny compaction threshold makes kills land during snapshot writes too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { seededRandom } from '../helpers/mongo';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'src/storage/embedded/cli.ts');
const TRIALS = 24;

/** Starts the server in a child process; resolves with its URI once it listens. */
function startChild(dataDir: string): Promise<{ child: ChildProcess; uri: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--data-dir', dataDir, '--compact-bytes', '65536'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening at (mongodb:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, uri: m[1] });
      }
    });
    child.stderr!.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${err}`));
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('embedded server: no acknowledged write is lost on kill -9', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-crash-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await killHard(c);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`survives ${TRIALS} kills at random moments`, async () => {
    const rand = seededRandom(20261123);
    const acked = new Set<string>();
    let ackedIncs = 0;
    let attemptedIncs = 0;
    let seq = 0;

    for (let trial = 0; trial < TRIALS; trial++) {
      const { child, uri } = await startChild(dataDir);
      children.push(child);
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2_000, maxPoolSize: 16, retryWrites: false });
      await client.connect();
      const coll = client.db('crash').collection('docs');

      // Everything acknowledged in earlier trials must have survived the previous kill.
      const present = new Set((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
      const missing = [...acked].filter((id) => !present.has(id));
      expect(missing, `trial ${trial}: acknowledged inserts lost`).toEqual([]);
      const counter = await coll.findOne({ _id: 'counter' as never });
      expect(counter?.n ?? 0, `trial ${trial}: acknowledged $inc lost`).toBeGreaterThanOrEqual(ackedIncs);
      expect(counter?.n ?? 0).toBeLessThanOrEqual(attemptedIncs);

      let stop = false;
      const writer = async (w: number) => {
        while (!stop) {
          const id = `t${trial}-w${w}-${seq++}`;
          try {
            if (seq % 5 === 0) {
              attemptedIncs++;
              await coll.updateOne({ _id: 'counter' as never }, { $inc: { n: 1 } }, { upsert: true });
              ackedIncs++;
            } else {
              await coll.insertOne({ _id: id as never, trial, w, pad: 'p'.repeat(Math.floor(rand() * 400)) });
              acked.add(id);
            }
          } catch {
            return; // the server died under us: unacknowledged, so no promise was made
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      // Kill after a random delay (some trials early, some after a good number of writes), counted
      // from the trial's first acknowledged write so a slow machine still has writes in flight.
      const ackedBefore = acked.size + ackedIncs;
      for (let waited = 0; acked.size + ackedIncs === ackedBefore && waited < 10_000; waited += 5)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20 + Math.floor(rand() * 400)));
      await killHard(child);
      stop = true;
      await Promise.all(writers);
      await client.close(true).catch(() => {});
    }

    // Final check after the last kill.
    const { child, uri } = await startChild(dataDir);
    children.push(child);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2_000 });
    await client.connect();
    const coll = client.db('crash').collection('docs');
    const present = new Set((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    expect([...acked].filter((id) => !present.has(id))).toEqual([]);
    expect(acked.size).toBeGreaterThan(TRIALS);
    const counter = await coll.findOne({ _id: 'counter' as never });
    expect(counter?.n ?? 0).toBeGreaterThanOrEqual(ackedIncs);
    await client.close();
    await killHard(child);
    // the tiny compaction threshold made the server switch to snapshots along the way
    expect(fs.readdirSync(dataDir).some((f) => /^snapshot-\d+\.bson$/.test(f))).toBe(true);
  });
});
