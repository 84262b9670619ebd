/**
 * The domain's Deps for handler unit tests: the embedded MongoDB (a store as the app opens it), and
 * fakes for what is outside the process: Slack user facts (locale, admin), the Agenda account and
 * card jobs and the notifier (recorded, not run), a captured log.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { WebClient } from '@slack/web-api';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { Keyring } from '../../src/security/crypto';
import { openStore } from '../../src/storage/db';
import type { Deps } from '../../src/domain/deps';
import type { Locale } from '../../src/i18n';
import type { OrgRole } from '../../src/vocabulary';
import { startTestMongo, type TestMongo } from './mongo';

export interface FakeUser {
  locale?: Locale;
  /** A Slack workspace admin (may become the org's first org admin). */
  isAdmin?: boolean;
  isGuest?: boolean;
  /** The user directory has not read them yet (userFacts answers 'unknown', the locale is the org's). */
  unknownYet?: boolean;
}

export interface UnitDeps {
  deps: Deps;
  mongo: TestMongo;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  /** Calls to deps.accountJobs, deps.cardJobs, deps.notifier: `checkAuth <accountId>`, `wake <jobId>`, `notify …` */
  jobs: string[];
  /** `teamId:userId` of each refreshUser (App Home opened). */
  refreshed: string[];
  /** A Slack user the fake gateway knows (users.info: locale, admin, guest). */
  addUser(teamId: string, userId: string, u?: FakeUser): void;
  /** Writes a member's org role, as /ats roles would. */
  setRole(teamId: string, userId: string, orgRole: OrgRole): Promise<void>;
  /** What deps.slack.clientFor answers (the domain's own Slack calls, outside a request). */
  setClient(client: WebClient | null): void;
  close(): Promise<void>;
}

export async function startUnitDeps(label = 'unit'): Promise<UnitDeps> {
  const mongo = await startTestMongo(label);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    }),
  );
  const config = loadConfig({
    NODE_ENV: 'test',
    SLACK_SIGNING_SECRET: 'unit-signing-secret-0123456789abcdef',
    SLACK_BOT_TOKEN: 'xoxb-unit-test',
    ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
    MONGODB_DB: mongo.dbName,
  });
  const store = await openStore(mongo.uri, mongo.dbName, { logger });
  const users = new Map<string, FakeUser>();
  const jobs: string[] = [];
  const refreshed: string[] = [];
  let client: WebClient | null = null;
  const deps: Deps = {
    config,
    store,
    keyring: new Keyring([{ id: 'k1', key: randomBytes(32) }]),
    logger,
    slack: {
      clientFor: async () => client,
      localeOf: async (teamId, userId) => {
        const u = users.get(`${teamId}:${userId}`);
        return u && !u.unknownYet && u.locale ? u.locale : 'ja';
      },
      userFacts: async (teamId, userId) => {
        const u = users.get(`${teamId}:${userId}`);
        if (!u) return null;
        if (u.unknownYet) return 'unknown';
        return { isAdmin: Boolean(u.isAdmin), isBot: false, isGuest: Boolean(u.isGuest) };
      },
      refreshUser: (teamId, userId) => void refreshed.push(`${teamId}:${userId}`),
    },
    accountJobs: {
      checkAuth: async (a) => void jobs.push(`checkAuth ${a.id}`),
      scheduleImport: async (a) => void jobs.push(`scheduleImport ${a.id}`),
      disableImport: async (id) => void jobs.push(`disableImport ${id}`),
      removeAll: async (id) => void jobs.push(`removeAll ${id}`),
      nextRuns: async () => new Map(),
    },
    cardJobs: {
      wake: async (_teamId, jobId) => void jobs.push(`wake ${jobId}`),
      forget: async (teamId) => void jobs.push(`forgetCards ${teamId}`),
    },
    notifier: {
      importFinished: async (_t, userIds) => {
        jobs.push(`notify importFinished ${userIds}`);
        return userIds.length;
      },
      importFailed: async (_t, userIds) => {
        jobs.push(`notify importFailed ${userIds}`);
        return userIds.length;
      },
      importRecovered: async (_t, userIds) => {
        jobs.push(`notify importRecovered ${userIds}`);
        return userIds.length;
      },
      linkResult: async (_t, userId, facts) => {
        jobs.push(`notify linkResult ${userId} ${facts.outcome}`);
        return 1;
      },
      channelProblem: async (_t, userIds) => {
        jobs.push(`notify channelProblem ${userIds}`);
        return userIds.length;
      },
      welcome: async (_t, userId) => void jobs.push(`notify welcome ${userId}`),
    },
    clock: () => new Date(),
  };
  return {
    deps,
    mongo,
    logs,
    jobs,
    refreshed,
    addUser: (teamId, userId, u = {}) => void users.set(`${teamId}:${userId}`, u),
    async setRole(teamId, userId, orgRole) {
      await store.members.updateOne({ teamId, userId }, { $set: { orgRole, updatedAt: new Date(), updatedBy: 'test' } }, { upsert: true });
    },
    setClient: (c) => void (client = c),
    async close() {
      await store.close();
      await mongo.close();
    },
  };
}
