/** Server errors in the shape MongoDB sends them: {ok: 0, errmsg, code, codeName}. */
import type { Document } from 'bson';

export const CODES = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  OperationNotSupportedInTransaction: 263,
  Location40324: 40324,
  DuplicateKey: 11000,
  NoSuchTransaction: 251,
  InvalidIdField: 53,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  Unauthorized: 13,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  EmptyFieldName: 56,
  Location31253: 31253,
  Location31254: 31254,
  Location51272: 51272,
} as const;

export type CodeName = keyof typeof CODES;

export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Document;
  constructor(codeName: CodeName, message: string, extra: Document = {}) {
    super(message);
    this.codeName = codeName;
    this.code = CODES[codeName];
    this.extra = extra;
  }
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** A duplicate-key violation, carrying the index and key the way MongoDB reports it. */
export class DuplicateKeyError extends CommandError {
  constructor(ns: string, indexName: string, keyPattern: Document, keyValue: Document) {
    const shown = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${showValue(v)}`)
      .join(', ');
    super('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`, {
      keyPattern,
      keyValue,
    });
  }
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  const bsonType = (v as { _bsontype?: string })._bsontype;
  if (bsonType === 'ObjectId') return `ObjectId('${String(v)}')`;
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return String(v);
  }
}

/** Turns anything thrown while running a command into an error reply. */
export function toErrorReply(err: unknown): Document {
  if (err instanceof CommandError) return err.toReply();
  const message = err instanceof Error ? err.message : String(err);
  // mingo throws plain Errors for bad operators/expressions: report them as BadValue like MongoDB.
  return { ok: 0, errmsg: message, code: CODES.BadValue, codeName: 'BadValue' };
}
