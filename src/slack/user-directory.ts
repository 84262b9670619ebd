/**
 * People's Slack facts (locale, workspace admin, bot, guest), read ahead of requests so that no
 * handler asks Slack before it acks (Slack wants an answer within 3 s; users.info is Tier 4, about
 * 100 calls a minute per workspace, and answers a burst with 429 + Retry-After 60).
 *
 * Filled: by users.list (include_locale, 200 a page, one page every `listIntervalMs`: Tier 2) in
 * the background after an install, and whenever a workspace that was never listed (or a crowd of
 * unknown people) shows up; one users.info per unknown person otherwise, one call at a time per
 * workspace, `lookupIntervalMs` apart. A 429 stops the workspace's lookups for its Retry-After; a
 * failed lookup is not tried again for `failureBackoffMs`; "no such user" is kept as such (null).
 * Nothing here waits for Slack on behalf of a request: `get` answers from the memo or the database
 * and queues a lookup when it has nothing.
 *
 * Kept in `slackUsers` ({teamId, userId} unique) and in a per-process memo.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Store } from '../storage/db';
import type { SlackUserDoc } from '../storage/types';
import { toLocale } from '../i18n';

export type UserFacts = NonNullable<SlackUserDoc['facts']>;
/** Facts, `null` (Slack does not know this person), or `'unknown'` (not read yet; a lookup is queued). */
export type Known = UserFacts | null | 'unknown';

export interface DirectorySettings {
  /** Between two users.info calls of one workspace (60 a minute: under Tier 4's 100). */
  lookupIntervalMs: number;
  /** Between two users.list pages (Tier 2: 20 a minute). */
  listIntervalMs: number;
  /** A failed lookup (network, 5xx) is not tried again before this. */
  failureBackoffMs: number;
  /** How long the memo trusts an answer before reading the database again. */
  memoTtlMs: number;
  /** Facts older than this are looked up again when the person opens App Home. */
  refreshAfterMs: number;
  /** This many people waiting for a lookup in a workspace: one users.list instead (if none ran for `relistAfterMs`). */
  relistQueue: number;
  relistAfterMs: number;
}

export const DEFAULT_DIRECTORY: DirectorySettings = {
  lookupIntervalMs: 1_000,
  listIntervalMs: 3_000,
  failureBackoffMs: 5 * 60_000,
  memoTtlMs: 10 * 60_000,
  refreshAfterMs: 60 * 60_000,
  relistQueue: 20,
  relistAfterMs: 60_000,
};

export interface DirectoryDeps {
  store: Pick<Store, 'slackUsers' | 'orgs'>;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** A client that rejects 429s at once (with `retryAfter`) and never retries: the directory paces itself. */
  lookupClientFor(teamId: string): Promise<WebClient | null>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface UserDirectory {
  /** What is known about a person, never asking Slack; queues a lookup when nothing is known. */
  get(teamId: string, userId: string): Promise<Known>;
  /** As `get`, then waits up to `ms` for the queued lookup (only where no ack is pending). */
  wait(teamId: string, userId: string, ms: number): Promise<Known>;
  /** Looks the person up again if their facts are older than `refreshAfterMs` (App Home opened). */
  refresh(teamId: string, userId: string): void;
  /** Reads the whole workspace with users.list, in the background (after an install). */
  list(teamId: string): Promise<void>;
  /** Resolves when no lookup or list is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops the background work. */
  stop(): void;
}

interface TeamQueue {
  users: Set<string>;
  running: Promise<void> | null;
  listWanted: boolean;
  listedAt: number | null;
  /** A 429 told us to wait until then. */
  pausedUntil: number;
  lastCallAt: number;
}

function factsOf(u: {
  locale?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_bot?: boolean;
  id?: string;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  deleted?: boolean;
}): UserFacts {
  return {
    locale: toLocale(u.locale),
    isAdmin: Boolean(u.is_admin || u.is_owner || u.is_primary_owner),
    isBot: Boolean(u.is_bot || u.id === 'USLACKBOT'),
    isGuest: Boolean(u.is_restricted || u.is_ultra_restricted),
    ...(u.deleted ? { deleted: true } : {}),
  };
}

const errorCode = (err: unknown) => (err as { data?: { error?: string } }).data?.error;
const retryAfterMs = (err: unknown) => {
  const s = (err as { retryAfter?: number }).retryAfter;
  return typeof s === 'number' && Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
};

export function createUserDirectory(d: DirectoryDeps, settings: Partial<DirectorySettings> = {}): UserDirectory {
  const s = { ...DEFAULT_DIRECTORY, ...settings };
  const now = d.now ?? Date.now;
  let stopped = false;
  const timers = new Map<NodeJS.Timeout, () => void>();
  const sleep =
    d.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.set(timer, resolve);
      }));
  const memo = new Map<string, { at: number; facts: UserFacts | null }>();
  const teams = new Map<string, TeamQueue>();
  const waiters = new Map<string, ((k: Known) => void)[]>();
  const key = (teamId: string, userId: string) => `${teamId}:${userId}`;

  function queueOf(teamId: string): TeamQueue {
    let q = teams.get(teamId);
    if (!q) {
      q = { users: new Set(), running: null, listWanted: false, listedAt: null, pausedUntil: 0, lastCallAt: 0 };
      teams.set(teamId, q);
    }
    return q;
  }

  function settle(teamId: string, userId: string, k: Known) {
    const k2 = key(teamId, userId);
    const w = waiters.get(k2);
    if (!w) return;
    waiters.delete(k2);
    for (const fn of w) fn(k);
  }

  async function remember(teamId: string, userId: string, facts: UserFacts | null) {
    const at = new Date(now());
    memo.set(key(teamId, userId), { at: now(), facts });
    await d.store.slackUsers.updateOne(
      { teamId, userId },
      { $set: { facts, fetchedAt: at }, $unset: { retryAt: '', failures: '' } },
      { upsert: true },
    );
    settle(teamId, userId, facts);
  }

  async function failed(teamId: string, userId: string) {
    // a known person keeps the facts they had; a new one stays unknown until `retryAt`
    await d.store.slackUsers.updateOne(
      { teamId, userId },
      { $set: { retryAt: new Date(now() + s.failureBackoffMs) }, $inc: { failures: 1 }, $setOnInsert: { facts: null } },
      { upsert: true },
    );
    settle(teamId, userId, 'unknown');
  }

  /** Waits for the pace and for any Retry-After of the workspace. */
  async function pace(q: TeamQueue, interval: number) {
    const until = Math.max(q.pausedUntil, q.lastCallAt + interval);
    const ms = until - now();
    if (ms > 0) await sleep(ms);
    q.lastCallAt = now();
  }

  async function listTeam(teamId: string, q: TeamQueue, client: WebClient) {
    let cursor: string | undefined;
    let pages = 0;
    let people = 0;
    for (;;) {
      if (stopped) return;
      await pace(q, s.listIntervalMs);
      let res: Awaited<ReturnType<WebClient['users']['list']>>;
      try {
        res = await client.users.list({ limit: 200, include_locale: true, ...(cursor ? { cursor } : {}) });
      } catch (err) {
        const wait = retryAfterMs(err);
        if (wait !== undefined) {
          q.pausedUntil = now() + wait;
          continue; // the same page, after the Retry-After
        }
        d.logger.warn({ err, teamId }, 'users.list failed; people are looked up one by one');
        return;
      }
      pages++;
      const members = (res.members ?? []).filter((m): m is typeof m & { id: string } => typeof m.id === 'string');
      people += members.length;
      const at = new Date(now());
      if (members.length) {
        await d.store.slackUsers.bulkWrite(
          members.map((m) => ({
            updateOne: {
              filter: { teamId, userId: m.id },
              update: { $set: { facts: factsOf(m), fetchedAt: at }, $unset: { retryAt: '', failures: '' } },
              upsert: true,
            },
          })),
          { ordered: false },
        );
      }
      for (const m of members) {
        const facts = factsOf(m);
        memo.set(key(teamId, m.id), { at: now(), facts });
        q.users.delete(m.id);
        settle(teamId, m.id, facts);
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    q.listedAt = now();
    await d.store.orgs.updateOne({ _id: teamId }, { $set: { usersListedAt: new Date(q.listedAt) } });
    d.logger.info({ teamId, pages, people }, 'user directory: workspace listed');
  }

  async function lookUp(teamId: string, userId: string, q: TeamQueue, client: WebClient): Promise<'done' | 'again'> {
    await pace(q, s.lookupIntervalMs);
    try {
      const res = await client.users.info({ user: userId, include_locale: true });
      await remember(teamId, userId, res.user ? factsOf(res.user) : null);
    } catch (err) {
      const wait = retryAfterMs(err);
      if (wait !== undefined) {
        q.pausedUntil = now() + wait;
        d.logger.info({ teamId, retryAfterMs: wait }, 'user directory: users.info rate-limited; waiting');
        return 'again';
      }
      const code = errorCode(err);
      if (code === 'user_not_found' || code === 'user_not_visible') await remember(teamId, userId, null);
      else {
        d.logger.warn({ err, teamId }, 'user directory: users.info failed; not tried again for a while');
        await failed(teamId, userId);
      }
    }
    return 'done';
  }

  async function listedAt(teamId: string, q: TeamQueue): Promise<number | null> {
    if (q.listedAt !== null) return q.listedAt;
    const org = await d.store.orgs.findOne({ _id: teamId }, { projection: { usersListedAt: 1 } });
    q.listedAt = org?.usersListedAt ? org.usersListedAt.getTime() : null;
    return q.listedAt;
  }

  async function drain(teamId: string, q: TeamQueue) {
    const client = await d.lookupClientFor(teamId);
    if (!client) {
      for (const u of q.users) settle(teamId, u, 'unknown');
      q.users.clear();
      q.listWanted = false;
      return;
    }
    for (;;) {
      if (stopped) return;
      const last = await listedAt(teamId, q);
      const crowd = q.users.size >= s.relistQueue && (last === null || now() - last > s.relistAfterMs);
      if (q.listWanted || (q.users.size > 0 && last === null) || crowd) {
        q.listWanted = false;
        q.listedAt = now(); // one attempt per relist period, even when it fails
        await listTeam(teamId, q, client);
        continue;
      }
      const next = q.users.values().next();
      if (next.done) return;
      const userId = next.value;
      if ((await lookUp(teamId, userId, q, client)) === 'done') q.users.delete(userId);
    }
  }

  function kick(teamId: string): Promise<void> {
    const q = queueOf(teamId);
    if (!q.running && !stopped) {
      q.running = drain(teamId, q)
        .catch((err) => d.logger.warn({ err, teamId }, 'user directory: lookups stopped'))
        .finally(() => {
          q.running = null;
          for (const u of q.users) settle(teamId, u, 'unknown');
          // more came in while it finished
          if ((q.users.size || q.listWanted) && !stopped) void kick(teamId);
        });
    }
    return q.running ?? Promise.resolve();
  }

  function enqueue(teamId: string, userId: string) {
    const q = queueOf(teamId);
    q.users.add(userId);
    void kick(teamId);
  }

  // Reads of people the memo lacks, grouped: the requests of one burst (200 newcomers at once) are
  // one find per workspace instead of one findOne each.
  const reads = new Map<string, Map<string, ((doc: SlackUserDoc | null) => void)[]>>();
  let readScheduled = false;
  function flushReads() {
    readScheduled = false;
    const batch = [...reads.entries()];
    reads.clear();
    for (const [teamId, people] of batch) {
      const settleAll = (docs: SlackUserDoc[]) => {
        const byUser = new Map(docs.map((doc) => [doc.userId, doc]));
        for (const [userId, fns] of people) for (const fn of fns) fn(byUser.get(userId) ?? null);
      };
      d.store.slackUsers
        .find({ teamId, userId: { $in: [...people.keys()] } })
        .toArray()
        .then(settleAll, (err: unknown) => {
          d.logger.warn({ err, teamId }, 'user directory: read failed');
          settleAll([]);
        });
    }
  }
  function readDoc(teamId: string, userId: string): Promise<SlackUserDoc | null> {
    return new Promise((resolve) => {
      let people = reads.get(teamId);
      if (!people) reads.set(teamId, (people = new Map()));
      people.set(userId, [...(people.get(userId) ?? []), resolve]);
      if (!readScheduled) {
        readScheduled = true;
        setImmediate(flushReads);
      }
    });
  }

  async function get(teamId: string, userId: string): Promise<Known> {
    const k = key(teamId, userId);
    const hit = memo.get(k);
    if (hit && now() - hit.at < s.memoTtlMs) return hit.facts;
    const doc = await readDoc(teamId, userId);
    if (doc?.fetchedAt) {
      memo.set(k, { at: now(), facts: doc.facts });
      return doc.facts;
    }
    if (doc?.retryAt && doc.retryAt.getTime() > now()) return 'unknown';
    enqueue(teamId, userId);
    return 'unknown';
  }

  return {
    get,
    async wait(teamId, userId, ms) {
      const known = await get(teamId, userId);
      if (known !== 'unknown' || ms <= 0 || !queueOf(teamId).users.has(userId)) return known;
      return new Promise<Known>((resolve) => {
        const timer = setTimeout(() => done('unknown'), ms);
        const done = (v: Known) => {
          clearTimeout(timer);
          resolve(v);
        };
        const k = key(teamId, userId);
        waiters.set(k, [...(waiters.get(k) ?? []), done]);
      });
    },
    refresh(teamId, userId) {
      const hit = memo.get(key(teamId, userId));
      if (hit && now() - hit.at < s.refreshAfterMs) return;
      void d.store.slackUsers
        .findOne({ teamId, userId })
        .then((doc) => {
          const at = doc?.fetchedAt?.getTime() ?? doc?.retryAt?.getTime();
          if (doc?.retryAt && doc.retryAt.getTime() > now()) return;
          if (at === undefined || now() - at >= s.refreshAfterMs) enqueue(teamId, userId);
          else memo.set(key(teamId, userId), { at: now(), facts: doc!.facts });
        })
        .catch((err) => d.logger.warn({ err, teamId }, 'user directory: refresh failed'));
    },
    list(teamId) {
      queueOf(teamId).listWanted = true;
      return kick(teamId);
    },
    async idle() {
      for (;;) {
        const running = [...teams.values()].map((q) => q.running).filter((p): p is Promise<void> => p !== null);
        if (!running.length) return;
        await Promise.all(running);
      }
    },
    stop() {
      stopped = true;
      // a sleeping loop wakes up, sees `stopped` and ends
      for (const [t, wake] of timers) {
        clearTimeout(t);
        wake();
      }
      timers.clear();
    },
  };
}
