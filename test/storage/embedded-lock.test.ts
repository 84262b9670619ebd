/**
 * The data directory's LOCK cannot be held by a dead process: after kill -9 a new server opens the
 * directory at once — while the killed server is still a zombie (killed, not yet reaped by its
 * parent), and when the PID written in the LOCK now belongs to an unrelated live process (containers
 * reuse small PIDs on every start). A live server in another process still keeps it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/storage/embedded/index';
import { holderAlive, procStart } from '../../src/storage/embedded/durability';
import { silentLogger, waitFor } from '../helpers/mongo';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'src/storage/embedded/cli.ts');
const dirs: string[] = [];
const children: ChildProcess[] = [];
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-lock-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Runs the server on `dir` under `sh`, which then execs `sleep`: the server's parent never waits for
 * it, so once killed it stays a zombie. Resolves with the server's PID once it listens.
 */
function serverUnderSleepingParent(dir: string): Promise<{ parent: ChildProcess; pid: number; uri: string }> {
  const script = `"${process.execPath}" --import tsx "${cli}" --port 0 --data-dir "${dir}" & echo "server pid $!"; exec sleep 120`;
  const parent = spawn('sh', ['-c', script], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(parent);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    parent.stderr!.on('data', (d) => (err += String(d)));
    parent.stdout!.on('data', (d) => {
      out += String(d);
      const pid = /server pid (\d+)/.exec(out);
      const uri = /listening at (mongodb:\/\/\S+)/.exec(out);
      if (pid && uri) {
        clearTimeout(timer);
        resolve({ parent, pid: Number(pid[1]), uri: uri[1] });
      }
    });
  });
}

async function openAndWrite(dir: string): Promise<number> {
  const server = await startEmbeddedMongo({ dataDir: dir, port: 0, logger: silentLogger });
  const client = new MongoClient(server.uri);
  try {
    const c = client.db('lock').collection('docs');
    await c.insertOne({ at: new Date() });
    return await c.countDocuments();
  } finally {
    await client.close();
    await server.close();
  }
}

describe('embedded data-directory LOCK', () => {
  it('is refused while a live server in another process holds it, and free right after kill -9 (zombie)', async () => {
    const dir = tmpDir();
    const { parent, pid, uri } = await serverUnderSleepingParent(dir);
    const client = new MongoClient(uri);
    await client.db('lock').collection('docs').insertOne({ before: true });
    await client.close();
    await expect(startEmbeddedMongo({ dataDir: dir, port: 0, logger: silentLogger })).rejects.toThrow(
      new RegExp(`in use by process ${pid}`),
    );

    process.kill(pid, 'SIGKILL');
    // the thread-group leader shows 'Z' while Node's other threads are still exiting; the process's
    // files (and so its lock) are released once the last thread is gone, the leader left a zombie
    const threads = () => {
      try {
        return fs.readdirSync(`/proc/${pid}/task`).length;
      } catch {
        return 0;
      }
    };
    await waitFor(() => procStart(pid)?.state === 'Z' && threads() <= 1, 'the killed server to be a zombie');
    // the kernel drops the lock as the dying process's files close, a moment after it shows as a
    // zombie: the restart may be refused for that moment, never for longer
    let count = 0;
    await waitFor(async () => {
      count = await openAndWrite(dir).catch(() => 0);
      return count > 0;
    }, 'a restart to get the lock');
    expect(count).toBe(2);
    parent.kill('SIGKILL');
  });

  it('is free when the PID written in it belongs to an unrelated live process', async () => {
    const dir = tmpDir();
    expect(await openAndWrite(dir)).toBe(1);
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(other);
    await waitFor(() => procStart(other.pid!) !== undefined, 'the unrelated process to run');
    for (const content of [String(other.pid), JSON.stringify({ pid: other.pid, start: '1', boot: 'another-boot' })]) {
      fs.writeFileSync(path.join(dir, 'LOCK'), content);
      expect(await openAndWrite(dir)).toBeGreaterThan(1);
    }
    other.kill('SIGKILL');
  });

  it('without the OS lock, a holder counts as alive only as the same live process', async () => {
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(other);
    await waitFor(() => procStart(other.pid!) !== undefined, 'the process to run');
    const stat = procStart(other.pid!)!;
    expect(holderAlive({ pid: other.pid!, start: stat.start })).toBe(true);
    expect(holderAlive({ pid: other.pid!, start: String(Number(stat.start) + 1) })).toBe(false); // PID reused
    expect(holderAlive({ pid: other.pid!, start: stat.start, boot: 'some other boot' })).toBe(false);
    expect(holderAlive({ pid: 999_999_999 })).toBe(false);
    const zombieParent = spawn('sh', ['-c', 'sleep 120 & echo $!; exec sleep 120'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(zombieParent);
    const zpid = await new Promise<number>((resolve) => zombieParent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    const zstart = procStart(zpid)!.start;
    process.kill(zpid, 'SIGKILL');
    await waitFor(() => procStart(zpid)?.state === 'Z', 'a zombie');
    expect(holderAlive({ pid: zpid, start: zstart })).toBe(false);
    zombieParent.kill('SIGKILL');
    other.kill('SIGKILL');
  });
});
