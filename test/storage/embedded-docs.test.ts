/**
 * The embedded server's document copy and comparison (src/storage/embedded/commands/context.ts):
 * cloneDoc gives an independent copy that serializes to the same bytes; sameDoc says "equal" exactly
 * when BSON would serialize both documents to the same bytes (what decides nModified).
 */
import { describe, expect, it } from 'vitest';
import { BSON, Binary, Decimal128, Long, ObjectId } from 'bson';
import { cloneDoc, sameDoc } from '../../src/storage/embedded/commands/context';
import { seededRandom } from '../helpers/mongo';

const bytes = (d: object) => Buffer.from(BSON.serialize(d));

describe('cloneDoc / sameDoc', () => {
  const rand = seededRandom(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const ids = [new ObjectId('65f000000000000000000001'), new ObjectId('65f000000000000000000002')];
  const leaf = (): unknown =>
    pick([
      () => Math.floor(rand() * 3),
      () => pick([0, -0, 0.5, NaN, 2 ** 40]),
      () => pick(['', 'a', 'b', 'あ']),
      () => new Date(1_700_000_000_000 + Math.floor(rand() * 2)),
      () => null,
      () => rand() < 0.5,
      () => pick(ids),
      () => new ObjectId(pick(ids).toHexString()),
      () => Long.fromNumber(Math.floor(rand() * 2)),
      () => new Binary(Buffer.from(pick(['x', 'y']))),
      () => Decimal128.fromString(pick(['1', '1.0'])),
    ])();
  const value = (depth = 0): unknown => {
    const r = rand();
    if (depth < 3 && r < 0.15) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
    if (depth < 3 && r < 0.3) return doc(depth + 1);
    return leaf();
  };
  const doc = (depth = 0): Record<string, unknown> => {
    const d: Record<string, unknown> = {};
    for (const k of ['a', 'b', 'c']) if (rand() < 0.7) d[k] = value(depth);
    if (rand() < 0.2) return Object.fromEntries(Object.entries(d).reverse()); // same fields, other order
    return d;
  };

  it('sameDoc agrees with a BSON byte comparison on random pairs', () => {
    let equal = 0;
    for (let i = 0; i < 5000; i++) {
      const a = doc();
      const b = rand() < 0.5 ? cloneDoc(a) : doc();
      if (rand() < 0.3 && Object.keys(b).length) b[pick(Object.keys(b))] = value(); // a small change
      const same = bytes(a).equals(bytes(b));
      expect(sameDoc(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(same);
      if (same) equal++;
    }
    expect(equal).toBeGreaterThan(500);
  });

  it('cloneDoc copies: same bytes, and changing the copy leaves the original alone', () => {
    for (let i = 0; i < 500; i++) {
      const a = { _id: pick(ids), ...doc(), nested: { list: [1, { x: new Date(0) }] } };
      const before = bytes(a);
      const c = cloneDoc(a);
      expect(bytes(c).equals(before)).toBe(true);
      (c.nested.list[1] as { x: Date }).x.setTime(5);
      c.nested.list.push(2);
      (c as Record<string, unknown>).a = 'changed';
      expect(bytes(a).equals(before)).toBe(true);
    }
  });
});
