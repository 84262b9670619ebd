/**
 * The shared shape of every job-media connector (wantedly/index.ts exports one, console/index.ts
 * builds one per console medium). A connector talks to one medium for one account's credentials;
 * it never stores anything and never logs a credential.
 */
import type { AuthFailureReason, ConnectorKind, Medium, ServiceFailureReason } from '../src/vocabulary';

/** Credentials as the user typed them into the link modal, per medium. */
export type Credentials =
  | { medium: 'wantedly'; apiKey: string }
  | { medium: 'bizreach' | 'findy'; email: string; password: string }
  | { medium: 'green'; companyId: string; password: string }
  | { medium: 'paiza' | 'openwork'; userId: string; password: string };

/** One applicant, normalized. Nothing else (e-mail, phone, messages) is imported. */
export interface NormalizedApplicant {
  externalId: string; // the medium's own applicant/entry id, stable across runs
  name: string;
  age?: number; // absent for Findy and Wantedly (neither gives it)
  postingId: string; // the medium's posting (募集/求人) id
  postingTitle: string;
  appliedAt: string; // ISO 8601, UTC
  profileUrl: string; // the applicant's page on the medium (kept as a link)
  isMeetup: boolean; // Wantedly 「話を聞きに行きたい」 meetup entry (skipped by imports)
}

export interface FetchResult {
  applicants: NormalizedApplicant[]; // ascending by appliedAt, at most `limit`
  nextCursor: string | null; // opaque; store it only after `applicants` are stored
  hasMore: boolean; // more waiting beyond this batch
}

export interface ConnectorContext {
  baseUrl: string; // from config (real host or emulator)
  timeoutMs: number; // every network/browser step is bounded
  signal?: AbortSignal;
}

export interface MediaConnector {
  medium: Medium;
  kind: ConnectorKind;
  /** Resolves when the credentials are accepted; throws AuthError or ServiceError. */
  authenticate(creds: Credentials, ctx: ConnectorContext): Promise<void>;
  /** Applicants not yet seen after `cursor` (null = from the beginning), oldest first. */
  fetchApplicants(creds: Credentials, args: { cursor: string | null; limit: number }, ctx: ConnectorContext): Promise<FetchResult>;
}

/** The medium refused the credentials (wrong password, locked, 2FA/CAPTCHA needs a human, role). */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    public readonly reason: AuthFailureReason,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

/** Anything else: 5xx, 429, timeouts, a page the connector cannot read, no browser. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    public readonly reason: ServiceFailureReason,
    message?: string,
    public readonly retryAfterMs?: number,
  ) {
    super(message ?? reason);
  }
}
