/**
 * globalSetup of `npm test`: one directory per run, under the OS temp dir, where every e2e harness
 * of every worker writes its recording (test/helpers/recorder.ts) and the privacy scan reads them
 * after the whole suite (test/privacy/scan.test.ts). Vitest calls this once per project; the first
 * call creates the directory, the workers inherit the variable. Removed at the end of the run unless
 * PRIVACY_SCAN_KEEP is set (to read what a failed scan saw), or it was given from outside.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_ENV } from './recording';

const OWNED = `${RUN_DIR_ENV}_OWNED`;

export function setup(): void {
  if (process.env[RUN_DIR_ENV]) return;
  process.env[RUN_DIR_ENV] = mkdtempSync(join(tmpdir(), 'hire-relay-privacy-'));
  process.env[OWNED] = '1';
}

export function teardown(): void {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir || process.env[OWNED] !== '1' || process.env.PRIVACY_SCAN_KEEP) return;
  rmSync(dir, { recursive: true, force: true });
}
