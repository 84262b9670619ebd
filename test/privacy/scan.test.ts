/**
 * The privacy scan, run by `npm test` after the whole suite (vitest.config.ts: a second project
 * group): every recording the e2e harnesses wrote (test/helpers/recorder.ts) — log lines, requests
 * the Slack and media emulators received, the app's HTTP responses, the database dumps — searched
 * for the test secrets and the candidates' e-mail addresses and phone numbers, judged by the policy
 * of docs/privacy-scan.md (test/privacy/policy.ts). Zero hits. Alone it has nothing to read and fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyTable, tableCells } from './policy';
import { RUN_DIR_ENV, type Recording } from './recording';
import { needlesOf, scan } from './scan';

const dir = process.env[RUN_DIR_ENV];
const files = dir ? readdirSync(dir) : [];
const recordings: Recording[] = files
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir!, f), 'utf8')) as Recording);

describe('privacy scan of the whole e2e suite', () => {
  it('docs/privacy-scan.md holds the policy the scan applies', () => {
    const doc = readFileSync('docs/privacy-scan.md', 'utf8');
    const table = doc.slice(doc.indexOf('<!-- policy:start -->'), doc.indexOf('<!-- policy:end -->'));
    expect(tableCells(table)).toEqual(tableCells(policyTable()));
  });

  it('has the recordings of the e2e suite, every harness closed', () => {
    expect(dir, `${RUN_DIR_ENV} is not set: run the whole suite (npm test)`).toBeTruthy();
    expect(recordings.length, 'no e2e harness recorded anything: run the whole suite (npm test)').toBeGreaterThan(0);
    // a harness never closed has no database dump: what it stored was not scanned
    const open = files.filter((f) => f.endsWith('.open')).map((f) => readFileSync(join(dir!, f), 'utf8'));
    expect(open, 'harnesses started and never closed').toEqual([]);
  });

  it('finds no secret and no e-mail address or phone number where it must not be', () => {
    const { needles, tooShort } = needlesOf(recordings);
    if (tooShort.length) console.info(`[privacy scan] not searched, too short: ${tooShort.join('; ')}`);
    const hits = scan(recordings, needles);
    const report = hits.map((h) => `${h.where}: ${h.what} from ${h.source}, ${h.encoding} — ${h.test}\n    …${h.context}…`);
    expect(report, `set PRIVACY_SCAN_KEEP=1 to keep the recordings in ${dir}`).toEqual([]);
    // not vacuous: the suite handed out credentials and candidates, and the scan had them to look for
    const kinds = new Set(needles.map((n) => n.subject.kind));
    for (const k of ['signing-secret', 'slack-token', 'encryption-key', 'media-password', 'media-api-key', 'email', 'phone'])
      expect(kinds, `no ${k} was recorded`).toContain(k);
  });
});
