/** commands/dedupe.ts deliveryRecorder: group-committed delivery keys, first one wins, failures act. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    results.forEach((fresh, i) => fresh && freshPerKey.set(keys[i % keys.length], (freshPerKey.get(keys[i % keys.length]) ?? 0) + 1));
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
    const broken = { insertMany: async () => { throw new Error('connection reset'); } } as unknown as Collection<DeliveryDoc>;
    warnings.length = 0;
    expect(await recorder(broken).record('T3:event:x')).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
  });
});
