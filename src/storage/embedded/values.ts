/**
 * BSON values as MongoDB compares them: the canonical type order, numeric comparison across
 * int32/int64/double/decimal, documents compared field by field in order, arrays element by
 * element — the one comparison that queries, sorts, $min/$max, $addToSet and $pull share.
 * https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
 */
export type Doc = Record<string, unknown>;

type Bsonish = { _bsontype?: string };

export const bsonType = (v: unknown): string | undefined => (v !== null && typeof v === 'object' ? (v as Bsonish)._bsontype : undefined);

/** A plain document (not an array, date, regex or BSON value). */
export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return (p === Object.prototype || p === null) && (v as Bsonish)._bsontype === undefined;
}

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = bsonType(v);
  return t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128';
}

/**
 * The sort key of an empty array (and of a path that leads into an empty array): MongoDB orders it
 * before null and missing ("a comparison of an empty array considers it less than null").
 */
export const EMPTY_ARRAY_KEY: unique symbol = Symbol('empty array');

/** Canonical type rank (MongoDB's canonicalizeBSONType): equal ranks compare by value. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 5;
  if (v === EMPTY_ARRAY_KEY) return 0;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
  }
  if (Array.isArray(v)) return 25;
  if (v instanceof Date) return 45;
  if (v instanceof RegExp) return 50;
  switch (bsonType(v)) {
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 10;
    case 'BSONSymbol':
      return 15;
    case 'Binary':
      return 30;
    case 'ObjectId':
      return 35;
    case 'Timestamp':
      return 47;
    case 'BSONRegExp':
      return 50;
    case 'DBRef':
      return 55;
    case 'Code':
      return 60;
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 127;
  }
  return 20; // document
}

/** A number as a JS number or, for exact 64-bit integers, a bigint. */
function numOf(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  switch (bsonType(v)) {
    case 'Long':
      return (v as { toBigInt(): bigint }).toBigInt();
    case 'Int32':
    case 'Double':
      return Number((v as { valueOf(): number }).valueOf());
    case 'Decimal128': {
      const s = String(v);
      if (/^-?\d+$/.test(s)) return BigInt(s);
      return Number(s); // 'NaN', 'Infinity', '-Infinity' and fractions
    }
  }
  return NaN;
}

/** Numeric comparison: NaN equals NaN and sorts before every other number; 0 equals -0. */
export function compareNumbers(a: unknown, b: unknown): number {
  const x = numOf(a);
  const y = numOf(b);
  if (typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  // one bigint, one number
  const [big, num, sign] = typeof x === 'bigint' ? [x, y as number, 1] : [y as bigint, x as number, -1];
  if (Number.isNaN(num)) return sign; // the number side is NaN: it is smaller
  if (!Number.isFinite(num)) return num > 0 ? -sign : sign;
  const floor = BigInt(Math.floor(num));
  if (big !== floor) return (big < floor ? -1 : 1) * sign;
  return num === Math.floor(num) ? 0 : -sign; // big == floor(num) < num when num has a fraction
}

/** Strings in UTF-8 byte order (MongoDB's simple collation), which differs from UTF-16 order only past surrogates. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (0xD800-0xDFFF) stand for code points above 0xFFFF: move them past 0xE000-0xFFFF
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000;
    else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000;
    else if (y >= 0xe000) y -= 0x800;
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const c = Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return c;
}

/** MongoDB's total order on BSON values (missing compares as null). */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 5:
    case 0:
    case -1:
    case 127:
      return 0;
    case 10:
      return compareNumbers(a, b);
    case 15:
      return compareStrings(String(a), String(b));
    case 40:
      return a === b ? 0 : a ? 1 : -1;
    case 45:
      return Math.sign((a as Date).getTime() - (b as Date).getTime()) || 0;
    case 25: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 20:
      return compareDocs(a as Doc, b as Doc);
    case 30: {
      const x = a as { buffer: Uint8Array; sub_type: number; position?: number };
      const y = b as { buffer: Uint8Array; sub_type: number; position?: number };
      const bx = x.buffer.subarray(0, x.position ?? x.buffer.length);
      const by = y.buffer.subarray(0, y.position ?? y.buffer.length);
      if (bx.length !== by.length) return bx.length < by.length ? -1 : 1;
      if (x.sub_type !== y.sub_type) return x.sub_type < y.sub_type ? -1 : 1;
      return compareBytes(bx, by);
    }
    case 35:
      return compareStrings((a as { toHexString(): string }).toHexString(), (b as { toHexString(): string }).toHexString());
    case 47: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? (x.t < y.t ? -1 : 1) : x.i !== y.i ? (x.i < y.i ? -1 : 1) : 0;
    }
    case 50: {
      const x = regexParts(a);
      const y = regexParts(b);
      return compareStrings(x[0], y[0]) || compareStrings(x[1], y[1]);
    }
  }
  // DBRef, Code and the rest: by their extended JSON text (rare; stable)
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as { pattern: string; options: string };
  return [r.pattern, r.options];
}

/** Documents: element by element — type rank, then field name, then value; a prefix sorts first. */
function compareDocs(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]];
    const vb = b[kb[i]];
    const ra = typeRank(va);
    const rb = typeRank(vb);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const c = compareStrings(ka[i], kb[i]) || compareValues(va, vb);
    if (c !== 0) return c;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

export const valuesEqual = (a: unknown, b: unknown): boolean => compareValues(a, b) === 0;

// --- $type -----------------------------------------------------------------------------------------

/** BSON type names by number, as $type accepts them. */
export const TYPE_ALIASES: Record<string, number> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

/**
 * The BSON type number a value has on the wire. A JS number is sent as int32 when it is an integer
 * in int32 range and as a double otherwise (that is what the server's answers carry), so a stored
 * int64 that fits in 53 bits reports as 'int' or 'double' — see docs/storage.md.
 */
export function bsonTypeNumber(v: unknown): number {
  if (v === null || v === undefined) return 10;
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? 16 : 1;
    case 'bigint':
      return 18;
    case 'string':
      return 2;
    case 'boolean':
      return 8;
  }
  if (Array.isArray(v)) return 4;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  switch (bsonType(v)) {
    case 'Long':
      return 18;
    case 'Int32':
      return 16;
    case 'Double':
      return 1;
    case 'Decimal128':
      return 19;
    case 'Binary':
      return 5;
    case 'ObjectId':
      return 7;
    case 'Timestamp':
      return 17;
    case 'BSONRegExp':
      return 11;
    case 'BSONSymbol':
      return 14;
    case 'Code':
      return (v as { scope?: unknown }).scope ? 15 : 13;
    case 'DBRef':
      return 3;
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 127;
  }
  return 3;
}

/** A type's name as MongoDB's messages print it (e.g. "string" in "has the field 'a' of non-numeric type string"). */
export function typeNameOf(v: unknown): string {
  const n = bsonTypeNumber(v);
  return Object.keys(TYPE_ALIASES).find((k) => TYPE_ALIASES[k] === n) ?? 'unknown';
}

/** A short rendering of a value for error messages (MongoDB prints documents in its own JSON-ish form). */
export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(show).join(', ')} ]`;
  const t = bsonType(v);
  if (t === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (t) return String(v);
  const entries = Object.entries(v as Doc).map(([k, x]) => `${k}: ${show(x)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}
