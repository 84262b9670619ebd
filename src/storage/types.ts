/** Documents of hire-relay's collections. Every document carries `teamId`; every query filters on it. */
import type { ObjectId } from 'mongodb';
import type { AccountState, ChannelIssueReason, Locale, Medium, OrgRole, RunOutcome, Stage } from '../vocabulary';

export interface InstallationDoc {
  _id: string; // teamId (or enterprise id for org-wide installs)
  teamId: string;
  enterpriseId?: string;
  botUserId?: string;
  installedBy?: string;
  encrypted: string; // the whole Bolt Installation, AES-256-GCM
  installedAt: Date;
  updatedAt: Date;
}

export interface OrgDoc {
  _id: string; // teamId
  teamId: string;
  zone: string;
  settings: {
    privateCards: boolean;
    /** Erase candidates closed (hired, rejected, withdrawn) more than this many months ago; absent/null: off. */
    retentionMonths?: number | null;
    /** The org's language, for people whose Slack locale is not known yet (absent: Japanese). */
    language?: Locale;
  };
  createdAt: Date;
  /** The app was uninstalled (or its bot token revoked): the org's data is purged at `purgeAfter`. */
  uninstalledAt?: Date;
  purgeAfter?: Date;
  /** When the workspace's users were last read with users.list (the user directory's sweep). */
  usersListedAt?: Date;
}

/**
 * What Slack said about a person (users.list / users.info), kept ahead of requests so that no
 * handler asks Slack before it acks. `facts` null: Slack does not know them (user_not_found, an
 * external member of a shared channel). `retryAt`: the last lookup failed (network, 5xx) and is
 * not tried again before it.
 */
export interface SlackUserDoc {
  _id?: ObjectId;
  teamId: string;
  userId: string;
  facts: { locale: Locale; isAdmin: boolean; isBot: boolean; isGuest: boolean; deleted?: boolean } | null;
  fetchedAt?: Date;
  retryAt?: Date;
  failures?: number;
}

export interface MemberDoc {
  _id?: ObjectId;
  teamId: string;
  userId: string;
  orgRole: OrgRole;
  updatedAt: Date;
  updatedBy?: string;
}

export interface AuditDoc {
  _id?: ObjectId;
  teamId: string;
  at: Date;
  actorId: string;
  action: string;
  allowed: boolean;
  target?: Record<string, unknown>;
  reason?: string;
}

export interface RunSummary {
  runId: string;
  startedAt: Date;
  finishedAt?: Date;
  fetched: number;
  created: number;
  duplicates: number;
  skippedMeetups: number;
  /** Applicants skipped because they were erased (and have not applied again). */
  skippedErased?: number;
  outcome: RunOutcome;
  error?: string;
}

export interface MediaAccountDoc {
  _id: ObjectId;
  teamId: string;
  medium: Medium;
  label: string;
  credentials: string; // encrypted JSON of Credentials (AAD = teamId:mediaAccount:_id)
  credentialFingerprint: string; // HMAC of the login identity, to refuse linking the same login twice
  state: AccountState;
  paused: boolean;
  linkedBy: string;
  requestId?: string; // the modal view id: a replayed submission does not link twice
  cursor: string | null;
  firstImportDone: boolean;
  lastRun?: RunSummary;
  lastError?: { reason: string; at: Date; notified: boolean };
  failures: number; // consecutive system errors, for backoff
  runLease?: { by: string; until: Date } | null; // one import run per account at a time, across instances
  createdAt: Date;
  updatedAt: Date;
}

export interface ImportRunDoc extends RunSummary {
  _id?: ObjectId;
  teamId: string;
  accountId: ObjectId;
  medium: Medium;
}

export interface PostingDoc {
  _id?: ObjectId;
  teamId: string;
  medium: Medium;
  externalId: string;
  accountId: ObjectId;
  accountLabel: string;
  title: string;
  jobId: ObjectId | null; // the per-posting choice (beats any rule)
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface MappingRuleDoc {
  _id?: ObjectId;
  teamId: string;
  medium: Medium;
  pattern: string;
  match: 'exact' | 'contains';
  jobId: ObjectId;
  createdBy: string;
  createdAt: Date;
  requestId?: string; // the rule modal's view id: a replayed submission does not add the rule twice
}

export interface JobDoc {
  _id?: ObjectId;
  teamId: string;
  name: string; // as typed (shown everywhere)
  /**
   * normalizeName(name) (src/text.ts): NFKC, lower case, whitespace collapsed; unique per team
   * (partial index: a job from before the key is filled in at start-up by src/storage/db.ts, except
   * one whose key another job already holds, which keeps none until it is renamed).
   */
  nameKey?: string;
  channelId: string;
  admins: string[];
  members: string[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Why cards cannot reach the channel right now (told to the job's admins once). */
  channelIssue?: { reason: ChannelIssueReason; since: Date; notifiedAt?: Date };
  /** The view id of the modal that created it (unique per team): a resubmission is the same request. */
  requestId?: string;
  /** The view id of the modal of its last edit: a resubmission of that edit is not a change made meanwhile. */
  editRequestId?: string;
}

export interface CandidateDoc {
  _id?: ObjectId;
  teamId: string;
  medium: Medium;
  externalId: string;
  name: string;
  /** searchKey(name) (src/text.ts), what `/ats candidate` matches; written with the name. */
  searchKey?: string;
  age?: number;
  postingExternalId: string;
  postingTitle: string;
  appliedAt: Date;
  links: { label: string; url: string }[];
  jobId: ObjectId | null;
  stage: Stage;
  assignees: string[];
  accountIds: ObjectId[];
  importedAt: Date;
  importHistory: { at: Date; accountId: ObjectId; accountLabel: string; runId: string }[];
  /** false until an import notice told of this candidate (absent on candidates from before: told). */
  announced?: boolean;
  /**
   * The import run telling of this candidate (src/domain/imports.ts, tellUntold): `runId` keys the
   * notice (kept when a later run, `by`, takes over a claim whose `until` passed).
   */
  announcing?: { runId: string; by: string; until: Date };
  /** Set when routed to a job; the card is posted by the delivery job (src/jobs/card-jobs.ts). */
  card?: CardRef;
  /** When the stage became a closed one (hired, rejected, withdrawn); unset when reopened. */
  closedAt?: Date;
  /**
   * Erased (src/domain/privacy.ts): the document is then a tombstone. Name, search key, age,
   * links, posting, history and assignees are gone, `externalId` is `erased:<_id>`, `jobId` null;
   * `fingerprint` is the keyed HMAC of the medium's id, which a re-import is checked against.
   */
  erasedAt?: Date;
  /** Who erased it: a user id, or `retention`. */
  erasedBy?: string;
  fingerprint?: string;
}

/**
 * A candidate's Slack card: pending → posting (claimed, with a lease) → posted (channel + ts stored
 * right after chat.postMessage). A card stuck in 'posting' past its lease is checked against the
 * channel's history before it is posted again. `dirty` asks the poster for a chat.update.
 */
export interface CardRef {
  state: 'pending' | 'posting' | 'posted' | 'failed';
  jobId?: ObjectId;
  channel?: string;
  ts?: string;
  threadTs?: string;
  /** Set when the card goes into a digest's thread (cardDigests collection). */
  digestId?: ObjectId;
  leaseUntil?: Date;
  claimedAt?: Date;
  attempts?: number;
  /** Copies sent by DM (archived channel fallback), each updated with the card. */
  copies?: { channel: string; ts: string }[];
  via?: 'channel' | 'dm';
  /** Incremented by each change a posted card must show; cleared (if unchanged) after chat.update. */
  dirty?: number;
  error?: string;
  postedAt?: Date;
}

/** One digest message ("N new candidates", cards in its thread), posted like a card. */
export interface CardDigestDoc {
  _id?: ObjectId;
  teamId: string;
  jobId: ObjectId;
  channel: string;
  count: number;
  byMedium: Partial<Record<Medium, number>>;
  state: 'pending' | 'posting' | 'posted';
  ts?: string;
  leaseUntil?: Date;
  claimedAt?: Date;
  createdAt: Date;
}
