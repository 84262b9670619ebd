/** What the domain needs from the outside world, built once in src/server.ts. */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Keyring } from '../security/crypto';
import type { Store } from '../storage/db';
import type { Locale } from '../i18n';
import type { Medium } from '../vocabulary';

export interface SlackGateway {
  /** A Web API client for a workspace (its bot token), or null when the app is not installed there. */
  clientFor(teamId: string): Promise<WebClient | null>;
  /** The user's language (users.info locale, cached); Japanese by default. */
  localeOf(teamId: string, userId: string): Promise<Locale>;
  /** Slack profile facts the domain needs (admin/owner for the first org admin, bot/guest refusal). */
  userFacts(teamId: string, userId: string): Promise<{ isAdmin: boolean; isBot: boolean; isGuest: boolean } | null>;
}

/** The per-account Agenda jobs: one import job and one credentials check, each unique per account. */
export interface AccountJobs {
  /** Queue a credentials check (now or at `at`). */
  checkAuth(account: { id: string; teamId: string; medium: Medium }, at?: Date): Promise<void>;
  /** Create or re-enable the import schedule; its next run at `at` (default now). */
  scheduleImport(account: { id: string; teamId: string; medium: Medium }, at?: Date): Promise<void>;
  /** Stop importing (pause, auth failure) without forgetting the schedule. */
  disableImport(accountId: string): Promise<void>;
  /** Unlink: remove every job of the account. */
  removeAll(accountId: string): Promise<void>;
}

/** The per-job card poster (src/jobs/card-jobs.ts): wake it when cards wait or changed. */
export interface CardJobs {
  wake(teamId: string, jobId: string, opts?: { at?: Date; onlyIfIdle?: boolean }): Promise<void>;
}

export interface Deps {
  config: Config;
  store: Store;
  keyring: Keyring;
  logger: Logger;
  slack: SlackGateway;
  accountJobs: AccountJobs;
  cardJobs: CardJobs;
  clock: () => Date;
}
