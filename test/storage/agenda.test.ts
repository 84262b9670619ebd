/**
 * Agenda 6 (with @agendajs/mongo-backend 4) on the embedded server — and on a real MongoDB when
 * MONGODB_URI is set: define, now, schedule, every, cancel, locking and lock expiry, concurrency
 * limits, and two instances on one database never running one job twice.
 * No timing assertions: everything waits for a condition with a generous timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { MongoClient, ObjectId } from 'mongodb';
import { storageTargets, uniqueDbName, waitFor, type TestMongo } from '../helpers/mongo';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(storageTargets())('Agenda on $name', (target) => {
  let mongo: TestMongo;
  const agendas: Agenda[] = [];
  const clients: MongoClient[] = [];

  beforeAll(async () => {
    mongo = await target.start('agenda');
  });
  afterEach(async () => {
    for (const a of agendas.splice(0)) await a.stop().catch(() => {});
    for (const c of clients.splice(0)) await c.close().catch(() => {});
  });
  const extraDbs: string[] = [];
  afterAll(async () => {
    for (const name of extraDbs)
      await mongo.client
        .db(name)
        .dropDatabase()
        .catch(() => {});
    await mongo.close();
  });

  /** An Agenda instance with its own client (as two processes would have), on database `db`. */
  async function makeAgenda(
    db: string,
    opts: { processEvery?: number; defaultLockLifetime?: number; maxConcurrency?: number } = {},
  ): Promise<Agenda> {
    const client = new MongoClient(mongo.uri);
    await client.connect();
    clients.push(client);
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: client.db(db) }),
      processEvery: opts.processEvery ?? 50,
      defaultLockLifetime: opts.defaultLockLifetime,
      maxConcurrency: opts.maxConcurrency,
    });
    agendas.push(agenda);
    return agenda;
  }

  /** A database of the test's own (dropped in afterAll). */
  const freshDb = (label: string) => {
    const name = mongo.kind === 'real' ? uniqueDbName(label) : `${mongo.dbName}_${label}`;
    extraDbs.push(name);
    return name;
  };

  it('runs a job defined and started with now()', async () => {
    const db = freshDb('now');
    const agenda = await makeAgenda(db);
    const seen: unknown[] = [];
    agenda.define('greet', async (job) => {
      seen.push(job.attrs.data);
    });
    await agenda.start();
    await agenda.now('greet', { who: 'ada' });
    await waitFor(() => seen.length === 1, 'the job to run');
    expect(seen[0]).toEqual({ who: 'ada' });
    const stored = await mongo.client.db(db).collection('agendaJobs').findOne({ name: 'greet' });
    await waitFor(
      async () =>
        !!(await mongo.client
          .db(db)
          .collection('agendaJobs')
          .findOne({ name: 'greet', lastFinishedAt: { $ne: null } })),
      'lastFinishedAt',
    );
    expect(stored?.name).toBe('greet');
  });

  it('runs a scheduled job once its time has come, not before', async () => {
    const db = freshDb('schedule');
    const agenda = await makeAgenda(db);
    let ranAt = 0;
    agenda.define('later', async () => {
      ranAt = Date.now();
    });
    await agenda.start();
    const when = new Date(Date.now() + 400);
    await agenda.schedule(when, 'later');
    const job = await mongo.client.db(db).collection('agendaJobs').findOne({ name: 'later' });
    expect(job?.nextRunAt?.getTime()).toBe(when.getTime());
    await waitFor(() => ranAt > 0, 'the scheduled job');
    expect(ranAt).toBeGreaterThanOrEqual(when.getTime());
  });

  it('repeats a job with every() and keeps one document for it', async () => {
    const db = freshDb('every');
    const agenda = await makeAgenda(db);
    let runs = 0;
    agenda.define('tick', async () => {
      runs++;
    });
    await agenda.start();
    await agenda.every(100, 'tick');
    await agenda.every(100, 'tick'); // idempotent: still one job
    await waitFor(() => runs >= 3, 'three runs');
    expect(await mongo.client.db(db).collection('agendaJobs').countDocuments({ name: 'tick' })).toBe(1);
  });

  it('cancel() removes jobs so they never run', async () => {
    const db = freshDb('cancel');
    const agenda = await makeAgenda(db);
    let runs = 0;
    agenda.define('doomed', async () => {
      runs++;
    });
    await agenda.schedule(new Date(Date.now() + 60_000), 'doomed');
    await agenda.schedule(new Date(Date.now() + 60_000), 'doomed');
    const removed = await agenda.cancel({ name: 'doomed' });
    expect(removed).toBe(2);
    expect(await mongo.client.db(db).collection('agendaJobs').countDocuments({ name: 'doomed' })).toBe(0);
    expect(runs).toBe(0);
  });

  it('locks a running job and releases it when done', async () => {
    const db = freshDb('lock');
    const agenda = await makeAgenda(db);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    agenda.define('slow', async () => {
      started = true;
      await gate;
    });
    await agenda.start();
    await agenda.now('slow');
    await waitFor(() => started, 'the job to start');
    const coll = mongo.client.db(db).collection('agendaJobs');
    const running = await coll.findOne({ name: 'slow' });
    expect(running?.lockedAt).toBeInstanceOf(Date);
    release();
    await waitFor(async () => (await coll.findOne({ name: 'slow' }))?.lockedAt == null, 'the lock to be released');
  });

  it('takes over a job whose lock has expired (its worker died)', async () => {
    const db = freshDb('expiry');
    const coll = mongo.client.db(db).collection('agendaJobs');
    // A job another worker locked long ago and never finished.
    const _id = new ObjectId();
    await coll.insertOne({
      _id,
      name: 'orphan',
      type: 'normal',
      priority: 0,
      nextRunAt: new Date(Date.now() - 10_000),
      lockedAt: new Date(Date.now() - 10_000),
      data: { n: 1 },
    });
    const agenda = await makeAgenda(db, { defaultLockLifetime: 1_000 });
    let ran = 0;
    agenda.define('orphan', async () => {
      ran++;
    });
    await agenda.start();
    await waitFor(() => ran === 1, 'the orphaned job to be taken over');
  });

  it('respects a concurrency limit', async () => {
    const db = freshDb('concurrency');
    const agenda = await makeAgenda(db);
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    agenda.define(
      'limited',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(60);
        running--;
        done++;
      },
      { concurrency: 2 },
    );
    await agenda.start();
    for (let i = 0; i < 6; i++) await agenda.now('limited', { i });
    await waitFor(() => done === 6, 'all six jobs');
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(maxRunning).toBeGreaterThanOrEqual(1);
  });

  it('two instances on one database never run the same job twice', async () => {
    const db = freshDb('two');
    const a = await makeAgenda(db, { processEvery: 30 });
    const b = await makeAgenda(db, { processEvery: 30 });
    const runs = new Map<string, number>();
    const runners = new Map<string, string>();
    for (const [label, agenda] of [
      ['a', a],
      ['b', b],
    ] as const) {
      agenda.define('shared', async (job) => {
        const id = String(job.attrs._id);
        runs.set(id, (runs.get(id) ?? 0) + 1);
        runners.set(id, label);
        await sleep(5);
      });
    }
    // Create the jobs before either instance starts, so both race for every one of them.
    for (let i = 0; i < 30; i++) await a.schedule(new Date(Date.now() - 1000), 'shared', { i });
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => runs.size === 30, 'all 30 jobs', 30_000);
    await sleep(200);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(30);
  });
});
