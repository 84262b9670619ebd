/** TTL indexes: every interval, remove documents whose indexed date is older than expireAfterSeconds. */
import type { Catalog } from './catalog';
import type { Doc } from './collection';
import { valuesAt } from './indexes';

/** Removes expired documents once; returns how many were removed. */
export function removeExpired(catalog: Catalog, now = Date.now()): number {
  let removed = 0;
  for (const coll of [...catalog.collections()]) {
    for (const ix of coll.indexes) {
      const secs = ix.spec.expireAfterSeconds;
      if (typeof secs !== 'number' || ix.fields.length !== 1) continue;
      const cutoff = now - secs * 1000;
      const path = ix.fields[0].split('.');
      const found = ix.lookupRange(undefined, { v: new Date(cutoff), inclusive: false }, { keys: 0 }) ?? new Set<Doc>();
      for (const d of [...found]) {
        const dates = valuesAt(d, path)
          .flatMap((v) => (Array.isArray(v) ? v : [v]))
          .filter((v): v is Date => v instanceof Date);
        if (dates.length && Math.min(...dates.map((x) => x.getTime())) < cutoff) {
          coll.remove(d);
          removed++;
        }
      }
    }
  }
  return removed;
}

export function startTtlMonitor(catalog: Catalog, intervalMs: number): { stop(): void } {
  const timer = setInterval(() => removeExpired(catalog), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
