/**
 * Databases and their collections. Every change (documents and catalog alike) is reported to one
 * `onWrite` hook, which the durability layer turns into log records.
 */
import type { Document } from 'bson';
import { CommandError } from './errors';
import { Collection, type WriteOp } from './collection';
import type { IndexSpec } from './indexes';

export type CatalogOp =
  | WriteOp
  | { t: 'createColl'; db: string; c: string; opts: Document; uuid: unknown }
  | { t: 'dropColl'; db: string; c: string }
  | { t: 'dropDb'; db: string }
  | { t: 'createIndex'; db: string; c: string; spec: IndexSpec }
  | { t: 'dropIndex'; db: string; c: string; name: string };

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${String(name)}`);
  }
  return name;
}

export class Catalog {
  readonly dbs = new Map<string, Map<string, Collection>>();
  onWrite: (op: CatalogOp) => void = () => {};

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created (and logged) when it does not exist yet. */
  getOrCreate(db: string, name: string, opts: Document = {}): { coll: Collection; created: boolean } {
    const existing = this.get(db, name);
    if (existing) return { coll: existing, created: false };
    validateCollectionName(name);
    const coll = this.attach(new Collection(db, name, opts));
    this.onWrite({ t: 'createColl', db, c: name, opts, uuid: coll.uuid });
    return { coll, created: true };
  }

  /** Adds a collection object without logging (recovery) and wires its write hook. */
  attach(coll: Collection): Collection {
    let d = this.dbs.get(coll.db);
    if (!d) {
      d = new Map();
      this.dbs.set(coll.db, d);
    }
    d.set(coll.name, coll);
    coll.onWrite = (op) => this.onWrite(op);
    return coll;
  }

  drop(db: string, name: string, log = true): boolean {
    const d = this.dbs.get(db);
    if (!d?.delete(name)) return false;
    if (d.size === 0) this.dbs.delete(db);
    if (log) this.onWrite({ t: 'dropColl', db, c: name });
    return true;
  }

  dropDatabase(db: string, log = true): void {
    this.dbs.delete(db);
    if (log) this.onWrite({ t: 'dropDb', db });
  }

  createIndex(coll: Collection, spec: IndexSpec, log = true): void {
    coll.addIndex(spec);
    if (log) this.onWrite({ t: 'createIndex', db: coll.db, c: coll.name, spec });
  }

  dropIndex(coll: Collection, name: string, log = true): void {
    coll.dropIndex(name);
    if (log) this.onWrite({ t: 'dropIndex', db: coll.db, c: coll.name, name });
  }

  *collections(): Iterable<Collection> {
    for (const d of this.dbs.values()) yield* d.values();
  }
}
