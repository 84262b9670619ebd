/**
 * What the e2e harness records for the privacy scan (test/helpers/recorder.ts writes it, one JSON
 * file per harness, into the run directory test/privacy/run-dir.ts creates; test/privacy/scan.test.ts
 * reads them all after the whole suite). Shared types only.
 */
import type { Medium } from '../../src/vocabulary';

/** The environment variable naming this run's directory (set by the globalSetup, seen by every worker). */
export const RUN_DIR_ENV = 'HIRE_RELAY_PRIVACY_RUN_DIR';

/** A request one of the emulators received (from the app: Web API calls, response_url posts, the media). */
export interface ReceivedRecord {
  to: 'slack' | Medium;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/** An HTTP response the app sent (to the Slack emulator's signed requests, the tests' own requests). */
export interface ResponseRecord {
  method: string;
  url: string;
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

export type SecretKind =
  | 'signing-secret'
  | 'state-secret'
  | 'client-secret'
  | 'encryption-key'
  | 'slack-token'
  | 'verification-token'
  | 'media-password'
  | 'media-api-key'
  | 'media-session';

export type PiiKind = 'email' | 'phone';

/** A value that must not appear where the policy says so. `medium`: the medium it belongs to, when known. */
export interface SecretRecord {
  kind: SecretKind;
  /** The value as text (keys: base64 of the key bytes). */
  value: string;
  /** Raw bytes when the secret is binary (an encryption key): searched as hex and base64 too. */
  bytesBase64?: string;
  medium?: Medium;
  /** Where it was collected (harness config, an emulator's fixture, typed into a modal, seen in a Cookie header). */
  source: string;
}

export interface PiiRecord {
  kind: PiiKind;
  value: string;
  medium: Medium;
}

export interface Recording {
  /** The test file that started the harness. */
  test: string;
  logs: string[];
  received: ReceivedRecord[];
  responses: ResponseRecord[];
  /** Collection name → its documents as EJSON text (absent for a harness that reused another's database). */
  db?: Record<string, string>;
  secrets: SecretRecord[];
  pii: PiiRecord[];
}
