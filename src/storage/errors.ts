/** What a driver error means for the callers (a leaf of the storage layer). */

/** A unique index refused the write (E11000): the document, or its twin, is already there. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
