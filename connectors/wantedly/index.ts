/** Wantedly Visit connector: JSON API with an API key issued in Wantedly Visit. */
import {
  AuthError,
  ServiceError,
  type ConnectorContext,
  type Credentials,
  type FetchResult,
  type MediaConnector,
  type NormalizedApplicant,
} from '../types';
import { decodeApiCursor, encodeApiCursor, isAfter } from '../cursor';
import { secretsOf, toConnectorError, zodIssueSummary } from '../errors';
import { wantedlyGet } from './client';
import { entryToApplicant, parseEntriesResponse } from './parse';
import { wantedlyProjectsResponseSchema } from './schema';

export const WANTEDLY_PAGE_MAX = 100;
const MAX_PAGES_PER_FETCH = 1000;

function apiKeyOf(creds: Credentials): string {
  if (creds.medium !== 'wantedly' || !creds.apiKey) throw new AuthError('invalid_credentials', 'Wantedly needs an API key');
  return creds.apiKey;
}

async function guard<T>(creds: Credentials, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toConnectorError(err, secretsOf(creds));
  }
}

export const wantedlyConnector: MediaConnector = {
  medium: 'wantedly',
  kind: 'api',

  authenticate(creds: Credentials, ctx: ConnectorContext): Promise<void> {
    return guard(creds, async () => {
      const body = await wantedlyGet('v1/projects', apiKeyOf(creds), ctx);
      const r = wantedlyProjectsResponseSchema.safeParse(body);
      if (!r.success)
        throw new ServiceError('bad_response', `Wantedly projects response not understood: ${zodIssueSummary(r.error.issues)}`);
    });
  },

  fetchApplicants(creds, args, ctx): Promise<FetchResult> {
    return guard(creds, async () => {
      const key = apiKeyOf(creds);
      const limit = Math.max(0, Math.floor(args.limit));
      const start = decodeApiCursor(args.cursor);
      let apiCursor = start?.api ?? null;
      // Entries of the page at `apiCursor` up to this one were returned by an earlier fetch.
      let after = start?.after ?? null;
      // limit 0 only asks whether something is waiting: look for one unseen entry.
      const want = limit === 0 ? 1 : limit;
      const fresh: NormalizedApplicant[] = [];
      let nextCursor = args.cursor;
      let hasMore = true;
      for (let pages = 0; ; pages++) {
        if (pages >= MAX_PAGES_PER_FETCH) throw new ServiceError('bad_response', `Wantedly: no end after ${MAX_PAGES_PER_FETCH} pages`);
        const ask = after ? WANTEDLY_PAGE_MAX : Math.min(WANTEDLY_PAGE_MAX, want - fresh.length);
        const qs = new URLSearchParams({ limit: String(ask) });
        if (apiCursor) qs.set('cursor', apiCursor);
        const page = parseEntriesResponse(await wantedlyGet(`v1/entries?${qs}`, key, ctx));
        const all = page.data.map(entryToApplicant);
        let entries = all;
        if (after) {
          const pos = after;
          const i = all.findIndex((a) => a.externalId === pos.id);
          // The last returned entry is normally on this page; if it has gone, fall back to its position.
          entries = i >= 0 ? all.slice(i + 1) : all.filter((a) => isAfter(a, { v: 1, t: pos.t, id: pos.id }));
          if (i >= 0) after = null;
        }
        const room = want - fresh.length;
        if (entries.length > room) {
          // The API gave more than we may return: keep `room`, and point the cursor right after the
          // last one kept (the page's own cursor would skip the rest of it).
          const kept = entries.slice(0, room);
          fresh.push(...kept);
          const last = kept[kept.length - 1];
          nextCursor = encodeApiCursor(apiCursor, { t: last.appliedAt, id: last.externalId });
          hasMore = true;
          break;
        }
        fresh.push(...entries);
        if (all.length === 0) {
          hasMore = false;
          break;
        }
        const lastOfPage = all[all.length - 1];
        if (page.next_cursor && page.next_cursor !== apiCursor) {
          apiCursor = page.next_cursor;
          after = null;
          nextCursor = encodeApiCursor(apiCursor);
          hasMore = page.has_more ?? true;
        } else {
          // No position after this page from the API: remember ours, and stop (reading the same
          // page again would not get further).
          nextCursor = encodeApiCursor(apiCursor, { t: lastOfPage.appliedAt, id: lastOfPage.externalId });
          hasMore = false;
        }
        if (!hasMore || fresh.length >= want) break;
      }
      if (limit === 0) return { applicants: [], nextCursor: args.cursor, hasMore: fresh.length > 0 };
      for (let i = 1; i < fresh.length; i++) {
        if (Date.parse(fresh[i].appliedAt) < Date.parse(fresh[i - 1].appliedAt))
          throw new ServiceError('bad_response', 'Wantedly entries are not oldest-first');
      }
      // Never more than `limit`; `nextCursor` covers exactly these.
      return { applicants: fresh, nextCursor, hasMore };
    });
  },
};

export default wantedlyConnector;
