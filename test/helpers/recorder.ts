/**
 * The e2e harness's recorder for the privacy scan (docs/privacy-scan.md). When the run directory is
 * set (by test/privacy/run-dir.ts, the globalSetup of `npm test`), a harness records every log line,
 * every request the Slack and media emulators received, every HTTP response the app sent, and at
 * close the whole database and the values that must not leak (the harness's secrets, the emulators'
 * credentials and the candidates' e-mail addresses and phone numbers they handed out). Outside
 * vitest (benches) nothing is recorded. Recording only appends to arrays; the file is written once,
 * at close.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EJSON } from 'bson';
import type { Db } from 'mongodb';
import type { Config } from '../../src/config';
import { MEDIA, type Medium } from '../../src/vocabulary';
import type { SlackEmulator } from '../../emulators/slack/index';
import type { MediaEmulators } from '../../emulators/media';
import {
  RUN_DIR_ENV,
  type PiiRecord,
  type ReceivedRecord,
  type Recording,
  type ResponseRecord,
  type SecretRecord,
} from '../privacy/recording';

export interface Recorder {
  log(line: string): void;
  received(to: ReceivedRecord['to'], r: Omit<ReceivedRecord, 'to'>): void;
  /** Records every response the app's HTTP server sends from now on. */
  tapApp(server: Server): void;
  /** Writes the recording: the database dump when `db` is given (the harness that owns it). */
  finish(i: { config: Config; slack: SlackEmulator; media?: MediaEmulators; db?: Db }): Promise<void>;
}

let seq = 0;

/** A recorder when this run is being recorded (the run directory is set), else null. */
export async function startRecorder(): Promise<Recorder | null> {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const test = await testFile();
  const id = `${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`;
  // a marker while open: the scan reports a harness that never closed (its database was not dumped)
  const open = join(dir, `${id}.open`);
  writeFileSync(open, test);
  const logs: string[] = [];
  const received: ReceivedRecord[] = [];
  const responses: ResponseRecord[] = [];
  return {
    log: (line) => void logs.push(line),
    received: (to, r) => void received.push({ to, ...r }),
    tapApp(server) {
      server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        const keep = (c: unknown, enc?: unknown) => {
          if (c === undefined || c === null || typeof c === 'function') return;
          chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8'));
        };
        const write = res.write.bind(res) as (...a: unknown[]) => boolean;
        const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
        res.write = ((...a: unknown[]) => {
          keep(a[0], a[1]);
          return write(...a);
        }) as ServerResponse['write'];
        res.end = ((...a: unknown[]) => {
          keep(a[0], a[1]);
          return end(...a);
        }) as ServerResponse['end'];
        res.once('finish', () =>
          responses.push({
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            status: res.statusCode,
            headers: res.getHeaders(),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
    },
    async finish(i) {
      const rec: Recording = {
        test,
        logs,
        received,
        responses,
        secrets: secretsOf(i),
        pii: piiOf(i.media),
        ...(i.db ? { db: await dump(i.db) } : {}),
      };
      writeFileSync(join(dir, `${id}.json`), JSON.stringify(rec));
      rmSync(open, { force: true });
    },
  };
}

async function testFile(): Promise<string> {
  try {
    const { expect } = await import('vitest');
    return expect.getState().testPath ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function dump(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    out[c.name] = EJSON.stringify(await db.collection(c.name).find({}).toArray(), { relaxed: true });
  }
  return out;
}

function secretsOf(i: { config: Config; slack: SlackEmulator; media?: MediaEmulators }): SecretRecord[] {
  const out: SecretRecord[] = [];
  const add = (s: SecretRecord | null) => s && out.push(s);
  const c = i.config;
  if (c.SLACK_SIGNING_SECRET) add({ kind: 'signing-secret', value: c.SLACK_SIGNING_SECRET, source: 'harness config' });
  if (c.SLACK_STATE_SECRET) add({ kind: 'state-secret', value: c.SLACK_STATE_SECRET, source: 'harness config' });
  if (c.SLACK_CLIENT_SECRET) add({ kind: 'client-secret', value: c.SLACK_CLIENT_SECRET, source: 'harness config' });
  if (c.SLACK_BOT_TOKEN) add({ kind: 'slack-token', value: c.SLACK_BOT_TOKEN, source: 'harness config' });
  for (const k of c.ENCRYPTION_KEY ?? [])
    add({ kind: 'encryption-key', value: k.key.toString('base64'), bytesBase64: k.key.toString('base64'), source: `harness key ${k.id}` });
  for (const t of i.slack.state.tokens.values()) add({ kind: 'slack-token', value: t.token, source: `Slack emulator ${t.kind} token` });
  add({ kind: 'verification-token', value: i.slack.verificationToken, source: 'Slack emulator' });
  // what people typed into the link and re-enter modals (wrong ones too: the app saw them)
  for (const r of i.slack.sentRequests()) {
    if (r.kind !== 'interaction') continue;
    const p = JSON.parse(new URLSearchParams(r.body).get('payload') ?? '{}') as {
      type?: string;
      view?: { private_metadata?: string; state?: { values?: Record<string, Record<string, { value?: unknown }>> } };
    };
    if (p.type !== 'view_submission') continue;
    let medium: Medium | undefined;
    try {
      const m = JSON.parse(p.view?.private_metadata || '{}').medium;
      medium = (MEDIA as readonly string[]).includes(m) ? m : undefined;
    } catch {
      medium = undefined;
    }
    for (const [block, kind] of [
      ['password', 'media-password'],
      ['api_key', 'media-api-key'],
    ] as const) {
      const v = p.view?.state?.values?.[block]?.value?.value;
      if (typeof v === 'string' && v.trim()) add({ kind, value: v, medium, source: 'typed into a link modal' });
    }
  }
  if (i.media) {
    for (const m of MEDIA) {
      if (m === 'wantedly') {
        for (const key of i.media.wantedly.apiKeys())
          add({ kind: 'media-api-key', value: key, medium: m, source: 'Wantedly emulator account' });
      } else {
        for (const a of i.media[m].logins()) add({ kind: 'media-password', value: a.password, medium: m, source: `${m} emulator account` });
      }
    }
  }
  return out;
}

/** The candidates' e-mail addresses and phone numbers the console emulators handed out. */
function piiOf(media?: MediaEmulators): PiiRecord[] {
  if (!media) return [];
  const out: PiiRecord[] = [];
  for (const m of MEDIA) {
    if (m === 'wantedly') continue; // Wantedly's entries carry neither
    for (const { login } of media[m].logins()) {
      for (const a of media[m].applicants(login)) {
        out.push({ kind: 'email', value: a.email, medium: m });
        out.push({ kind: 'phone', value: a.phone, medium: m });
      }
    }
  }
  return out;
}
