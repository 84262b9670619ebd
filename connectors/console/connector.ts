/** The one implementation behind the five console connectors, parameterised by ConsoleConfig. */
import { compareApplied, decodePositionCursor, encodePositionCursor, isAfter } from '../cursor';
import { secretsOf, toConnectorError } from '../errors';
import { AuthError, ServiceError, type Credentials, type FetchResult, type MediaConnector, type NormalizedApplicant } from '../types';
import { loginOf, type ConsoleConfig } from './config';
import { assertSameOrigin, listUrl, withConsoleSession } from './client';

const MAX_PAGES = 1000;

export function createConsoleConnector(config: ConsoleConfig): MediaConnector {
  const creds2login = (creds: Credentials) => {
    const l = loginOf(config, creds);
    if (!l) throw new AuthError('invalid_credentials', `${config.label}: ${config.loginFieldLabel} and パスワード are required`);
    return l;
  };
  const guard = async <T>(creds: Credentials, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toConnectorError(err, secretsOf(creds));
    }
  };

  return {
    medium: config.medium,
    kind: 'browser',

    authenticate(creds, ctx) {
      return guard(creds, async () => {
        const { loginId, password } = creds2login(creds);
        await withConsoleSession(config, loginId, password, ctx, async (s) => {
          // Logged in; make sure the applicant list is readable with this account.
          await s.openList(listUrl(config, ctx.baseUrl, null));
        });
      });
    },

    fetchApplicants(creds, args, ctx): Promise<FetchResult> {
      return guard(creds, async () => {
        const { loginId, password } = creds2login(creds);
        const cursor = decodePositionCursor(args.cursor);
        const limit = Math.max(0, Math.floor(args.limit));
        return withConsoleSession(config, loginId, password, ctx, async (s) => {
          const seen = new Set<string>();
          const collected: NormalizedApplicant[] = [];
          const origin = new URL(ctx.baseUrl).origin;
          let url = listUrl(config, ctx.baseUrl, cursor?.t ?? null);
          let nextPage = false;
          let prevTime = -Infinity;
          for (let pageNo = 1; ; pageNo++) {
            if (pageNo > MAX_PAGES) throw new ServiceError('layout_changed', `${config.label}: more than ${MAX_PAGES} list pages`);
            const p = await s.openList(url);
            for (const a of p.applicants) {
              const t = Date.parse(a.appliedAt);
              if (t < prevTime) throw new ServiceError('layout_changed', `${config.label}: the list is not sorted oldest first`);
              prevTime = t;
              if (!isAfter(a, cursor) || seen.has(a.externalId)) continue;
              seen.add(a.externalId);
              collected.push(a);
            }
            nextPage = p.nextHref !== null;
            if (!nextPage) break;
            if (collected.length >= limit) {
              // Stop once the page goes past the limit-th applicant's time (so ties are all seen).
              const sorted = [...collected].sort(compareApplied);
              const boundary = limit > 0 ? Date.parse(sorted[limit - 1].appliedAt) : -Infinity;
              if (prevTime > boundary) break;
            }
            url = new URL(p.nextHref!, p.url).toString();
            // Only ever the medium's own pages: a 次へ link elsewhere is a changed (or hostile) page.
            assertSameOrigin(config, origin, url, 'the 次へ link');
          }
          collected.sort(compareApplied);
          const applicants = collected.slice(0, limit);
          const last = applicants[applicants.length - 1];
          return {
            applicants,
            nextCursor: last ? encodePositionCursor(last.appliedAt, last.externalId) : args.cursor,
            hasMore: collected.length > limit || nextPage,
          };
        });
      });
    },
  };
}
