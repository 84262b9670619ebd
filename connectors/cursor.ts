/**
 * Connector cursors: opaque strings (JSON) the caller stores only after storing the applicants.
 *  - console media: `{"v":1,"t":"<appliedAt ISO>","id":"<externalId>"}` — the last returned
 *    applicant; the next fetch returns applicants strictly after (t, id) in (appliedAt, id) order,
 *    so ties on appliedAt are never skipped.
 *  - Wantedly: `{"v":1,"api":"<the API's next_cursor>"}` — the API's own position after the last
 *    returned entry. When the connector returned only part of a page (the API gave more than
 *    asked for), `{"v":1,"api":<the cursor that page was read from, or null>,"t":…,"id":…}`: the
 *    next fetch reads that page again and skips up to the applicant (t, id) it last returned.
 */
import { ServiceError } from './types';

export interface PositionCursor {
  v: 1;
  t: string;
  id: string;
}
export interface ApiCursor {
  v: 1;
  /** The API's own cursor; null = from the beginning (only together with `after`). */
  api: string | null;
  /** The last applicant returned from the page read at `api`, when only part of it was returned. */
  after?: { t: string; id: string };
}

function parse(cursor: string): Record<string, unknown> {
  try {
    const v = JSON.parse(cursor);
    if (v && typeof v === 'object' && v.v === 1) return v;
  } catch {
    /* fallthrough */
  }
  throw new ServiceError('bad_response', 'stored cursor is not readable');
}

export function decodePositionCursor(cursor: string | null): PositionCursor | null {
  if (cursor === null) return null;
  const v = parse(cursor);
  if (typeof v.t !== 'string' || typeof v.id !== 'string' || Number.isNaN(Date.parse(v.t)))
    throw new ServiceError('bad_response', 'stored cursor is not a position cursor');
  return { v: 1, t: v.t, id: v.id };
}

export function encodePositionCursor(t: string, id: string): string {
  return JSON.stringify({ v: 1, t, id });
}

export function decodeApiCursor(cursor: string | null): ApiCursor | null {
  if (cursor === null) return null;
  const v = parse(cursor);
  const hasAfter = 't' in v || 'id' in v;
  if (hasAfter && (typeof v.t !== 'string' || typeof v.id !== 'string' || Number.isNaN(Date.parse(v.t))))
    throw new ServiceError('bad_response', 'stored cursor is not an API cursor');
  if (typeof v.api !== 'string' && !(v.api === null && hasAfter))
    throw new ServiceError('bad_response', 'stored cursor is not an API cursor');
  return hasAfter ? { v: 1, api: v.api as string | null, after: { t: v.t as string, id: v.id as string } } : { v: 1, api: v.api as string };
}

export function encodeApiCursor(api: string | null, after?: { t: string; id: string }): string {
  return after ? JSON.stringify({ v: 1, api, t: after.t, id: after.id }) : JSON.stringify({ v: 1, api });
}

/** (appliedAt, id) order used by every connector: time first, then id (numeric-aware). */
export function compareApplied(a: { appliedAt: string; externalId: string }, b: { appliedAt: string; externalId: string }): number {
  const ta = Date.parse(a.appliedAt);
  const tb = Date.parse(b.appliedAt);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareIds(a.externalId, b.externalId);
}

export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAfter(x: { appliedAt: string; externalId: string }, c: PositionCursor | null): boolean {
  if (!c) return true;
  return compareApplied(x, { appliedAt: c.t, externalId: c.id }) > 0;
}
