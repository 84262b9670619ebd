/**
 * The words every layer shares: connectors, storage, domain and views import them from here (a leaf:
 * it imports nothing). What a medium, a stage, a role, a reason code or a medium's link form fields
 * are, and nothing else.
 */

/** The languages hire-relay speaks (a user's Slack locale maps to one; Japanese by default). */
export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** The job media hire-relay imports from. */
export const MEDIA = ['wantedly', 'bizreach', 'green', 'findy', 'paiza', 'openwork'] as const;
export type Medium = (typeof MEDIA)[number];

/** How a connector reaches its medium: a JSON API, or the medium's web console through Chromium. */
export type ConnectorKind = 'api' | 'browser';

/** The pipeline stages a candidate moves through, in order; the last two are closed outcomes. */
export const STAGES = ['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'] as const;
export type Stage = (typeof STAGES)[number];
/** The final stages: a candidate there is closed (and may be erased by the retention setting). */
export const CLOSED_STAGES = ['hired', 'rejected', 'withdrawn'] as const satisfies readonly Stage[];
export const isClosedStage = (s: Stage): boolean => (CLOSED_STAGES as readonly Stage[]).includes(s);

/** A workspace member's role in the org; job roles (admin, member) are per job. */
export const ORG_ROLES = ['org_admin', 'standard', 'limited'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export type JobRole = 'admin' | 'member';

/** A linked media account's state (未連携 is the absence of an account). */
export type AccountState = 'authenticating' | 'linked' | 'auth_failed' | 'system_error';

/** Why a medium refused the credentials. */
export const AUTH_FAILURE_REASONS = ['invalid_credentials', 'locked', 'needs_human', 'insufficient_role'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Why a medium could not be used right now (retried with backoff). */
export const SERVICE_FAILURE_REASONS = [
  'unavailable',
  'rate_limited',
  'timeout',
  'layout_changed',
  'browser_missing',
  'bad_response',
] as const;
export type ServiceFailureReason = (typeof SERVICE_FAILURE_REASONS)[number];

/** How an import run ended. */
export type RunOutcome = 'running' | 'success' | 'partial' | 'auth_failed' | 'system_error';

/** Why candidate cards cannot reach a job's channel right now. */
export type ChannelIssueReason = 'not_in_channel' | 'is_archived' | 'channel_not_found';

/** Why the permission function refused. */
export type RefusalReason = 'not_org_admin' | 'not_job_admin' | 'not_on_job' | 'limited_access' | 'not_assigned' | 'deactivated';

/** How someone is shown in the App Home: their org role, or their strongest job role. */
export type DisplayRole = 'org_admin' | 'job_admin' | 'job_member' | 'limited' | 'standard';

/** A field of the link form (the credentials a medium asks for). */
export type FieldKey = 'api_key' | 'email' | 'password' | 'company_id' | 'user_id';

/** Which fields each medium's link form has, the login identity first (a duplicate is named under it). */
export const MEDIUM_FIELDS: Record<Medium, FieldKey[]> = {
  wantedly: ['api_key'],
  bizreach: ['email', 'password'],
  green: ['company_id', 'password'],
  findy: ['email', 'password'],
  paiza: ['user_id', 'password'],
  openwork: ['user_id', 'password'],
};

/** The longest account label (the link form's label field). */
export const LABEL_MAX = 40;
