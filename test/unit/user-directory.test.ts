/**
 * The user directory (src/slack/user-directory.ts): what it answers without Slack, how it reads
 * people (users.list first for a workspace never listed, then users.info one at a time), and how
 * it behaves when Slack limits or fails: a 429's Retry-After waited out (as the pace asks, through
 * the injected sleep: no real waiting), a failed lookup not retried before its back-off, an
 * unknown user kept as unknown to Slack.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { pino } from 'pino';
import { openStore, type Store } from '../../src/storage/db';
import { createUserDirectory } from '../../src/slack/user-directory';
import { startTestMongo, type TestMongo } from '../helpers/mongo';

let mongo: TestMongo;
let store: Store;
let seq = 0;

beforeAll(async () => {
  mongo = await startTestMongo('directory');
  store = await openStore(mongo.uri, mongo.dbName, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await store?.close();
  await mongo?.close();
});

type Person = { id: string; locale?: string; is_admin?: boolean; is_restricted?: boolean; is_bot?: boolean };

/** A fake Slack: users.list pages of `pageSize`, users.info; `script` answers calls in order (429, error). */
function fakeSlack(people: Person[], pageSize = 2) {
  const calls: { method: string; arg?: string; at: number }[] = [];
  const script: (null | { retryAfter?: number; error?: string })[] = [];
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const answer = (method: string, arg?: string) => {
    calls.push({ method, arg, at: clock });
    const next = script.shift();
    if (next?.retryAfter !== undefined) throw Object.assign(new Error('rate limited'), { retryAfter: next.retryAfter });
    if (next?.error) throw Object.assign(new Error(next.error), { data: { error: next.error } });
  };
  const client = {
    users: {
      list: async (a: { cursor?: string; limit: number; include_locale: boolean }) => {
        answer('users.list', a.cursor);
        expect(a.include_locale).toBe(true);
        const from = Number(a.cursor ?? 0);
        const page = people.slice(from, from + pageSize);
        return {
          ok: true,
          members: page,
          response_metadata: { next_cursor: from + pageSize < people.length ? String(from + pageSize) : '' },
        };
      },
      info: async (a: { user: string; include_locale: boolean }) => {
        answer('users.info', a.user);
        const p = people.find((x) => x.id === a.user);
        if (!p) throw Object.assign(new Error('user_not_found'), { data: { error: 'user_not_found' } });
        return { ok: true, user: p };
      },
    },
  } as unknown as WebClient;
  return {
    client,
    calls,
    script,
    sleeps,
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    advance: (ms: number) => void (clock += ms),
  };
}

function directoryFor(slack: ReturnType<typeof fakeSlack>, settings = {}) {
  return createUserDirectory(
    { store, logger: pino({ level: 'silent' }), lookupClientFor: async () => slack.client, now: slack.now, sleep: slack.sleep },
    { lookupIntervalMs: 1000, listIntervalMs: 3000, failureBackoffMs: 60_000, ...settings },
  );
}

let team: string;
beforeEach(async () => {
  team = `T0DIR${++seq}`;
  await store.orgs.insertOne({ _id: team, teamId: team, zone: 'Asia/Tokyo', settings: { privateCards: false }, createdAt: new Date() });
});

describe('user directory', () => {
  it('answers unknown at once and reads a workspace never listed with users.list, paged and paced', async () => {
    const slack = fakeSlack([
      { id: 'U1', locale: 'en-US' },
      { id: 'U2', locale: 'ja-JP', is_admin: true },
      { id: 'U3', is_restricted: true },
      { id: 'B1', is_bot: true },
    ]);
    const dir = directoryFor(slack);
    expect(await dir.get(team, 'U1')).toBe('unknown'); // never waits for Slack
    await dir.idle();
    expect(slack.calls.map((c) => c.method)).toEqual(['users.list', 'users.list']); // two pages, no users.info
    expect(slack.calls[1].at - slack.calls[0].at).toBeGreaterThanOrEqual(3000); // Tier 2 pace
    expect(await dir.get(team, 'U1')).toMatchObject({ locale: 'en', isAdmin: false, isGuest: false });
    expect(await dir.get(team, 'U2')).toMatchObject({ locale: 'ja', isAdmin: true });
    expect(await dir.get(team, 'U3')).toMatchObject({ isGuest: true });
    expect(await dir.get(team, 'B1')).toMatchObject({ isBot: true });
    expect((await store.orgs.findOne({ _id: team }))?.usersListedAt).toBeInstanceOf(Date);
    // a second process on the same database: from the database, no Slack call
    const other = directoryFor(slack);
    expect(await other.get(team, 'U1')).toMatchObject({ locale: 'en' });
    expect(slack.calls).toHaveLength(2);
  });

  it('after the list, looks newcomers up one at a time, paced, and waits out a 429’s Retry-After', async () => {
    const slack = fakeSlack([{ id: 'U1' }]);
    const dir = directoryFor(slack);
    await dir.list(team);
    slack.calls.length = 0;
    slack.script.push(null, { retryAfter: 30 });
    slack.advance(10_000);
    // newcomers Slack does not list (the fake answers user_not_found for them)
    for (const id of ['N1', 'N2', 'N3']) expect(await dir.get(team, id)).toBe('unknown');
    await dir.idle();
    const infos = slack.calls.filter((c) => c.method === 'users.info');
    // N1 ok, N2 limited, then N2 again only after 30 s, then N3 a pace later
    expect(infos.map((c) => c.arg)).toEqual(['N1', 'N2', 'N2', 'N3']);
    expect(infos[2].at - infos[1].at).toBeGreaterThanOrEqual(30_000);
    expect(infos[1].at - infos[0].at).toBeGreaterThanOrEqual(1000);
    expect(infos[3].at - infos[2].at).toBeGreaterThanOrEqual(1000);
    expect(await dir.get(team, 'N1')).toBeNull(); // Slack does not know them (user_not_found): kept as such
    expect(slack.calls.filter((c) => c.method === 'users.info')).toHaveLength(4); // and not asked again
  });

  it('does not ask again for someone whose lookup failed, until the back-off has passed', async () => {
    const slack = fakeSlack([{ id: 'U1', locale: 'en-US' }]);
    const dir = directoryFor(slack);
    await dir.list(team);
    slack.calls.length = 0;
    slack.script.push({ error: 'internal_error' });
    await store.slackUsers.deleteOne({ teamId: team, userId: 'U1' });
    const fresh = directoryFor(slack); // no memo
    expect(await fresh.get(team, 'U1')).toBe('unknown');
    await fresh.idle();
    expect(await fresh.get(team, 'U1')).toBe('unknown');
    await fresh.idle();
    expect(slack.calls.map((c) => c.method)).toEqual(['users.info']); // once, not once per request
    slack.advance(60_001);
    expect(await fresh.get(team, 'U1')).toBe('unknown'); // the back-off is over: asked again
    await fresh.idle();
    expect(await fresh.get(team, 'U1')).toMatchObject({ locale: 'en' });
    expect(slack.calls.map((c) => c.method)).toEqual(['users.info', 'users.info']);
  });

  it('wait() resolves with the facts once the queued lookup answers; a crowd of unknown people is one users.list', async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({ id: `C${i}`, locale: 'en-US' }));
    const slack = fakeSlack(people, 200);
    const dir = directoryFor(slack, { relistQueue: 20, relistAfterMs: 60_000 });
    await dir.list(team);
    slack.calls.length = 0;
    slack.advance(120_000);
    await store.slackUsers.deleteMany({ teamId: team });
    const fresh = directoryFor(slack, { relistQueue: 20, relistAfterMs: 60_000 });
    const waits = people.map((p) => fresh.wait(team, p.id, 60_000));
    const known = await Promise.all(waits);
    expect(known.every((k) => k !== 'unknown' && k !== null && k.locale === 'en')).toBe(true);
    await fresh.idle();
    // 30 people waiting: the first is looked up alone, then the crowd is one users.list
    expect(slack.calls.filter((c) => c.method === 'users.list')).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'users.info').length).toBeLessThan(people.length);
  });
});
