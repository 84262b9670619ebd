/** Wantedly Visit connector: JSON API with an API key issued in Wantedly Visit. */
import { AuthError, ServiceError, type ConnectorContext, type Credentials, type FetchResult, type MediaConnector, type NormalizedApplicant } from '../types';
import { decodeApiCursor, encodeApiCursor } from '../cursor';
import { secretsOf, toConnectorError, zodIssueSummary } from '../errors';
import { wantedlyGet } from './client';
import { entryToApplicant, parseEntriesResponse } from './parse';
import { wantedlyProjectsResponseSchema } from './schema';

export const WANTEDLY_PAGE_MAX = 100;

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
      if (!r.success) throw new ServiceError('bad_response', `Wantedly projects response not understood: ${zodIssueSummary(r.error.issues)}`);
    });
  },

  fetchApplicants(creds, args, ctx): Promise<FetchResult> {
    return guard(creds, async () => {
      const key = apiKeyOf(creds);
      const limit = Math.max(0, Math.floor(args.limit));
      let apiCursor = decodeApiCursor(args.cursor)?.api ?? null;
      const applicants: NormalizedApplicant[] = [];
      let hasMore = true;
      while (applicants.length < limit && hasMore) {
        const qs = new URLSearchParams({ limit: String(Math.min(WANTEDLY_PAGE_MAX, limit - applicants.length)) });
        if (apiCursor) qs.set('cursor', apiCursor);
        const page = parseEntriesResponse(await wantedlyGet(`v1/entries?${qs}`, key, ctx));
        for (const e of page.data) applicants.push(entryToApplicant(e));
        if (page.next_cursor) apiCursor = page.next_cursor;
        hasMore = page.has_more ?? (page.data.length > 0 && page.next_cursor !== null);
        if (page.data.length === 0) hasMore = false;
      }
      if (limit === 0) {
        // Only ask whether something is waiting.
        const qs = new URLSearchParams({ limit: '1' });
        if (apiCursor) qs.set('cursor', apiCursor);
        hasMore = parseEntriesResponse(await wantedlyGet(`v1/entries?${qs}`, key, ctx)).data.length > 0;
      }
      for (let i = 1; i < applicants.length; i++) {
        if (Date.parse(applicants[i].appliedAt) < Date.parse(applicants[i - 1].appliedAt))
          throw new ServiceError('bad_response', 'Wantedly entries are not oldest-first');
      }
      return {
        applicants,
        nextCursor: apiCursor ? encodeApiCursor(apiCursor) : args.cursor,
        hasMore,
      };
    });
  },
};

export default wantedlyConnector;
