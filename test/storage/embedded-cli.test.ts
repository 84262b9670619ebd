/**
 * `npm run db` (src/storage/embedded/cli.ts): starts the embedded server on its own, any client can
 * use it, data in --data-dir survives a restart, SIGTERM stops it cleanly, bad arguments get one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'src/storage/embedded/cli.ts');

function run(args: string[]): { child: ChildProcess; ready: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening at (mongodb:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${err}`)));
  });
  ready.catch(() => {});
  child.stderr!.on('data', (d) => (err += String(d)));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr: err })),
  );
  return { child, ready, exit };
}

describe('npm run db', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves any client, keeps --data-dir data across restarts and stops on SIGTERM', async () => {
    for (const round of [1, 2]) {
      const { child, ready, exit } = run(['--port', '0', '--data-dir', dir]);
      const uri = await ready;
      expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
      const client = new MongoClient(uri);
      await client.connect();
      const coll = client.db('cli').collection('rounds');
      await coll.insertOne({ round });
      expect((await coll.find().toArray()).map((d) => d.round)).toEqual(round === 1 ? [1] : [1, 2]);
      await client.close();
      child.kill('SIGTERM');
      expect((await exit).code).toBe(0);
    }
  });

  it('rejects bad arguments with one line and exit code 2', async () => {
    const { exit } = run(['--port', 'nope']);
    const { code, stderr } = await exit;
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('--port: not a port number: nope');
  });
});
