/** What the domain needs from the outside world, built once in src/server.ts. */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Keyring } from '../security/crypto';
import type { Store } from '../storage/db';
import type { ChannelIssueReason, Locale, Medium } from '../vocabulary';

/** Slack facts of a person; `deleted`: deactivated in Slack (users.info / users.list `deleted`). */
export type UserFactsAnswer = { isAdmin: boolean; isBot: boolean; isGuest: boolean; deleted?: boolean } | null | 'unknown';

export interface SlackGateway {
  /** A Web API client for a workspace (its bot token), or null when the app is not installed there. */
  clientFor(teamId: string): Promise<WebClient | null>;
  /**
   * The user's language: their Slack locale as the user directory knows it, else the org's language
   * (Japanese unless the org chose another). Never asks Slack: safe before an ack.
   */
  localeOf(teamId: string, userId: string): Promise<Locale>;
  /**
   * Slack profile facts the domain needs (admin/owner for the first org admin, bot/guest refusal):
   * null when Slack does not know the person, `'unknown'` when they were not read yet (a lookup is
   * queued). Never asks Slack itself; `waitMs` (only where no ack is pending) waits that long for
   * the queued lookup.
   */
  userFacts(teamId: string, userId: string, opts?: { waitMs?: number }): Promise<UserFactsAnswer>;
  /** Reads the person's Slack facts again in the background when they are old (App Home opened). */
  refreshUser(teamId: string, userId: string): void;
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
  /** When each account imports (or is checked) next; accounts with nothing scheduled are absent. */
  nextRuns(accountIds: string[]): Promise<Map<string, Date>>;
}

/** What an import run brought (told to the import audience). */
export interface ImportFinishedFacts {
  /** The run told about (carried in the message's metadata, so a notice can be traced to its run). */
  runId: string;
  /**
   * Told by a later run in place of a run that died while telling (it may have sent it): each DM's
   * history is looked up for this notice before it is posted.
   */
  takeover?: boolean;
  medium: Medium;
  label: string;
  run: { created: number; fetched: number; duplicates: number; skippedMeetups: number };
  /** More applicants wait for the next run. */
  hasMore: boolean;
  /** After an account's first import: its postings no choice or rule maps to a job. */
  unmapped: number;
}

/** An import that failed: `reason` is a reason code (`auth:…`, `service:…`), the retry in the org's zone. */
export interface ImportFailedFacts {
  /** The run that failed (in the message's metadata). */
  runId: string;
  medium: Medium;
  label: string;
  reason: string;
  nextRunAt: Date | null;
  zone: string;
}

/** The outcome of a credentials check, told to whoever linked the account. */
export interface LinkResultFacts {
  medium: Medium;
  label: string;
  outcome: 'linked' | 'recovered' | 'auth_failed' | 'system_error';
  reason?: string;
}

/** Cards of a job that cannot reach its channel; `waiting`: how many. */
export interface ChannelProblemFacts {
  reason: ChannelIssueReason;
  channelId: string;
  job: string;
  waiting: number;
}

/**
 * Telling people things (src/notifier/): each message is rendered in its recipient's language and
 * sent by DM. Whom to tell is the domain's decision; a failure to reach one person is logged and
 * does not stop the others. Each returns how many were reached.
 */
export interface Notifier {
  importFinished(teamId: string, userIds: string[], facts: ImportFinishedFacts): Promise<number>;
  importFailed(teamId: string, userIds: string[], facts: ImportFailedFacts): Promise<number>;
  importRecovered(teamId: string, userIds: string[], facts: { medium: Medium; label: string }): Promise<number>;
  linkResult(teamId: string, userId: string, facts: LinkResultFacts): Promise<number>;
  channelProblem(teamId: string, userIds: string[], facts: ChannelProblemFacts): Promise<number>;
  /** The installer's welcome, right after the install. */
  welcome(teamId: string, userId: string): Promise<void>;
}

/** The per-job card poster (src/jobs/card-jobs.ts): wake it when cards wait or changed. */
export interface CardJobs {
  wake(teamId: string, jobId: string, opts?: { at?: Date; onlyIfIdle?: boolean }): Promise<void>;
  /** Removes every card job of a team (its data is being purged). */
  forget(teamId: string): Promise<void>;
}

export interface Deps {
  config: Config;
  store: Store;
  keyring: Keyring;
  logger: Logger;
  slack: SlackGateway;
  accountJobs: AccountJobs;
  cardJobs: CardJobs;
  notifier: Notifier;
  clock: () => Date;
}
