/**
 * Crash trials (npm run test:faults): the app process is killed -9 at random points of import runs,
 * 20+ times; after restarts every applicant exists exactly once and none is lost.
 * MongoDB (embedded, in this process), Slack and Wantedly emulators live in the test process, so
 * only the app dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startTestMongo, type TestMongo } from '../helpers/mongo';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { Keyring } from '../../src/security/crypto';
import { credentialFingerprint, credentialsAad } from '../../src/domain/credentials';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 20);
const TOTAL = 600;
const T = 'T0CRASH';
const KEY = 'wantedly-crash-key-00001';

let mongo: TestMongo;
let slack: SlackEmulator;
let wantedly: WantedlyEmulator;
let env: Record<string, string>;
let accountId: ObjectId;

function spawnApp(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/app-child.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('ready ')) resolve(child);
    });
    child.stderr!.on('data', () => undefined);
    child.on('exit', (code) => reject(new Error(`app exited early (${code}): ${out.slice(-500)}`)));
  });
}

const db = () => mongo.client.db(mongo.dbName);

beforeAll(async () => {
  mongo = await startTestMongo('crash');
  slack = await startSlackEmulator({ port: 0, signingSecret: 'crash-secret', rateLimits: false });
  slack.addTeam({ id: T, name: 'crash' });
  slack.addUser({ teamId: T, id: 'U0CRASHADMIN', name: 'admin', isAdmin: true, locale: 'ja-JP' });
  const token = slack.issueBotToken(T);
  wantedly = await startWantedlyEmulator({ port: 0 });
  wantedly.addAccount({ apiKey: KEY });
  wantedly.setRateLimit(0);
  wantedly.generateEntries(KEY, { count: TOTAL, meetupRatio: 0.1, seed: 17, tieEvery: 6 });
  wantedly.injectFault({ kind: 'slow', delayMs: 700 }); // a run lasts ~0.7 s: most kills land inside one
  const encKey = randomBytes(32).toString('base64');
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: '0',
    SLACK_SIGNING_SECRET: 'crash-secret',
    SLACK_BOT_TOKEN: token,
    SLACK_API_URL: slack.apiUrl,
    ENCRYPTION_KEY: `k1:${encKey}`,
    MONGODB_URI: mongo.uri,
    MONGODB_DB: mongo.dbName,
    WANTEDLY_API_URL: wantedly.url,
    IMPORT_RUN_TIMEOUT_MS: '1500',
  };
  // a linked account, as the link flow leaves it, with its import due now
  const keyring = new Keyring([{ id: 'k1', key: Buffer.from(encKey, 'base64') }]);
  accountId = new ObjectId();
  const creds = { medium: 'wantedly' as const, apiKey: KEY };
  await db().collection('members').insertOne({ teamId: T, userId: 'U0CRASHADMIN', orgRole: 'org_admin', updatedAt: new Date() });
  await db()
    .collection('mediaAccounts')
    .insertOne({
      _id: accountId,
      teamId: T,
      medium: 'wantedly',
      label: 'crash',
      state: 'linked',
      paused: false,
      linkedBy: 'U0CRASHADMIN',
      credentials: keyring.encryptJson(creds, credentialsAad(T, String(accountId))),
      credentialFingerprint: credentialFingerprint(keyring, T, creds),
      cursor: null,
      firstImportDone: false,
      failures: 0,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
}, 60_000);

afterAll(async () => {
  await wantedly?.close();
  await slack?.close();
  await mongo?.close();
});

const dueNow = () =>
  db()
    .collection('agendaJobs')
    .updateOne({ 'data.accountId': String(accountId) }, { $set: { nextRunAt: new Date() } });

it(`survives ${TRIALS} kill -9 at random points of import runs: every applicant exactly once`, async () => {
  const expected = wantedly.entries(KEY).filter((e) => e.kind !== 'meetup').length;
  for (let trial = 0; trial < TRIALS; trial++) {
    const child = await spawnApp();
    await dueNow();
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 1000)));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const countAfterCrashes = await db().collection('candidates').countDocuments({ teamId: T });
  // a last app runs until the medium has nothing left (leases and locks of killed runs expire)
  const child = await spawnApp();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const n = await db().collection('candidates').countDocuments({ teamId: T });
      if (n >= expected) break;
      if (Date.now() > deadline) throw new Error(`only ${n}/${expected} imported`);
      const job = await db()
        .collection('agendaJobs')
        .findOne({ 'data.accountId': String(accountId) });
      if (job && !job.lockedAt) await dueNow();
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    child.kill('SIGKILL');
  }
  const docs = await db()
    .collection('candidates')
    .find({ teamId: T }, { projection: { externalId: 1 } })
    .toArray();
  const ids = docs.map((d) => d.externalId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(expected);
  expect(countAfterCrashes).toBeLessThanOrEqual(expected);
  const runs = await db().collection('importRuns').countDocuments({ teamId: T });
  expect(runs).toBeGreaterThan(TRIALS / 2);
  // the kills did land inside runs: runs that never finished
  const killedMidRun = await db().collection('importRuns').countDocuments({ teamId: T, outcome: 'running' });
  expect(killedMidRun).toBeGreaterThan(0);
  console.log(JSON.stringify({ trials: TRIALS, runs, killedMidRun, imported: ids.length }));
}, 600_000);
