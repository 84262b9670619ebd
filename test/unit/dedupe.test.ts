/** commands/dedupe.ts deliveryRecorder: group-committed delivery keys, first one wins, failures act. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Collection } from 'mongodb';
import { deliveryRecorder } from '../../commands/dedupe';
import { startTestMongo, type TestMongo } from '../helpers/mongo';
import type { DeliveryDoc } from '../../src/storage/db';

let mongo: TestMongo;
let deliveries: Collection<DeliveryDoc>;
const warnings: unknown[] = [];
const logger = { warn: (o: unknown) => warnings.push(o), info() {}, error() {} };
const recorder = (coll = deliveries) =>
  deliveryRecorder({ store: { deliveries: coll } as never, clock: () => new Date(), logger: logger as never });

beforeAll(async () => {
  mongo = await startTestMongo('dedupe');
  deliveries = mongo.client.db(mongo.dbName).collection<DeliveryDoc>('deliveries');
});
afterAll(() => mongo?.close());

describe('deliveryRecorder', () => {
  it('a key is fresh once, then seen', async () => {
    const r = recorder();
    expect(await r.record('T1:event:Ev1')).toBe(true);
    expect(await r.record('T1:event:Ev1')).toBe(false);
    expect(await deliveries.countDocuments({ _id: 'T1:event:Ev1' })).toBe(1);
  });

  it('many concurrent deliveries (each twice, same turn and later turns): exactly one fresh per key', async () => {
    const r = recorder();
    const keys = Array.from({ length: 300 }, (_, i) => `T1:trigger:${i}`);
    const first = keys.map((k) => r.record(k));
    const again = keys.map((k) => r.record(k));
    await new Promise((res) => setImmediate(res));
    const third = keys.map((k) => r.record(k));
    const results = await Promise.all([...first, ...again, ...third]);
    const freshPerKey = new Map<string, number>();
    for (const [i, fresh] of results.entries())
      if (fresh) freshPerKey.set(keys[i % keys.length], (freshPerKey.get(keys[i % keys.length]) ?? 0) + 1);
    expect(freshPerKey.size).toBe(keys.length);
    expect([...freshPerKey.values()].every((n) => n === 1)).toBe(true);
    expect((await Promise.all(first)).every(Boolean)).toBe(true);
    expect(await deliveries.countDocuments({ _id: { $regex: /^T1:trigger:/ } })).toBe(keys.length);
  });

  it('two recorders (two app processes) agree through the unique _id', async () => {
    const a = recorder();
    const b = recorder();
    const keys = Array.from({ length: 50 }, (_, i) => `T2:event:${i}`);
    const results = await Promise.all(keys.flatMap((k) => [a.record(k), b.record(k)]));
    for (let i = 0; i < keys.length; i++) expect(Number(results[2 * i]) + Number(results[2 * i + 1])).toBe(1);
  });

  it('when the store fails, the delivery is acted on (not dropped) and a warning is logged', async () => {
    const broken = {
      insertMany: async () => {
        throw new Error('connection reset');
      },
    } as unknown as Collection<DeliveryDoc>;
    warnings.length = 0;
    expect(await recorder(broken).record('T3:event:x')).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
  });

  describe('group commit (fake clock, a store that takes 20 ms per write)', () => {
    afterEach(() => vi.useRealTimers());
    function slowStore() {
      const writes: string[][] = [];
      const coll = {
        insertMany: (docs: { _id: string }[]) => {
          writes.push(docs.map((d) => d._id));
          return new Promise((res) => setTimeout(res, 20));
        },
      } as unknown as Collection<DeliveryDoc>;
      return { writes, coll };
    }

    it('records nobody waits for share one write per 100 ms even while writes keep going (not one per round trip)', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
      const { writes, coll } = slowStore();
      const r = recorder(coll);
      const all = [r.record('urgent-1', true)];
      for (let i = 0; i < 50; i++) {
        all.push(r.record(`slash-${i}`, false)); // one every 2 ms: 50 arrive over 100 ms
        await vi.advanceTimersByTimeAsync(2);
      }
      await vi.advanceTimersByTimeAsync(300);
      expect(await Promise.all(all)).toEqual(all.map(() => true));
      // before: a write after every round trip (6 here); now the urgent one, then the rest together
      expect(writes.length).toBeLessThanOrEqual(3);
      expect(writes[0][0]).toBe('urgent-1');
      expect(writes.flat().sort()).toEqual(['urgent-1', ...Array.from({ length: 50 }, (_, i) => `slash-${i}`)].sort());
    });

    it('an urgent key (a retry someone waits for) does not wait for the timer, and takes the waiting ones along', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
      const { writes, coll } = slowStore();
      const r = recorder(coll);
      const slow = r.record('slash-a', false);
      await vi.advanceTimersByTimeAsync(10);
      expect(writes).toEqual([]); // waiting for company
      let answered = false;
      const retry = r.record('retry-b', true).then((fresh) => {
        answered = true;
        return fresh;
      });
      await vi.advanceTimersByTimeAsync(25); // one write (20 ms), far less than the 100 ms window
      expect(answered).toBe(true);
      expect(writes).toEqual([['slash-a', 'retry-b']]);
      expect(await Promise.all([slow, retry])).toEqual([true, true]);
      await vi.advanceTimersByTimeAsync(300);
      expect(writes.length).toBe(1); // nothing left to write, no empty write
    });
  });
});
