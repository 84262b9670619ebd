/**
 * The simulated day of the fault trials (chaos-day.test.ts): several workspaces (OAuth mode), two
 * Wantedly accounts each, mapping rules routing postings to job channels, new applicants arriving
 * all day, every emulator injecting seeded random faults, and the app killed -9 and restarted three
 * times. The day is compressed: SCHEDULE_TIME_SCALE makes the import schedule (every 5 minutes,
 * backoffs, Retry-After) run DAY_SCALE times faster while leases, locks and time limits stay real.
 * Afterwards the end state is checked against the emulators' own record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { Installation } from '@slack/bolt';
import { startTestMongo, type TestMongo } from '../helpers/mongo';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { prng, type ChaosOptions } from '../../emulators/chaos';
import { Keyring } from '../../src/security/crypto';
import { installationAad } from '../../src/security/aad';
import { credentialFingerprint, credentialsAad } from '../../src/domain/credentials';
import { searchKey } from '../../src/text';

/** 24 h in 24 h / DAY_SCALE of real time (720: two minutes). */
export const DAY_SCALE = Number(process.env.CHAOS_DAY_SCALE ?? 720);
const DAY_MS = (24 * 3600_000) / DAY_SCALE;
const TEAMS = 3;
const RATES: ChaosOptions['rates'] = { error: 0.04, rate_limit: 0.03, hang: 0.01, reset: 0.01, garbage: 0.01, truncate: 0.01, lost: 0.01 };

export interface DayReport {
  seed: number;
  violations: string[];
  stats: Record<string, unknown>;
}

interface Team {
  id: string;
  admin: string;
  member: string;
  jobs: { id: ObjectId; channel: string; pattern: string }[];
  accounts: { id: ObjectId; key: string; revokeAt?: number }[];
}

export async function runChaosDay(opts: { seed: number; instances: 1 | 2; label: string }): Promise<DayReport> {
  const rand = prng(opts.seed);
  const mongo: TestMongo = await startTestMongo(`chaos-${opts.label}`);
  const slack: SlackEmulator = await startSlackEmulator({ port: 0, signingSecret: 'chaos-secret', rateLimits: false });
  const wantedly: WantedlyEmulator = await startWantedlyEmulator({ port: 0 });
  wantedly.setRateLimit(0);
  const db = mongo.client.db(mongo.dbName);
  const encKey = randomBytes(32).toString('base64');
  const keyring = new Keyring([{ id: 'k1', key: Buffer.from(encKey, 'base64') }]);
  const children = new Set<ChildProcess>();
  const violations: string[] = [];
  try {
    // ---- the world: workspaces, people, channels, jobs, rules, linked accounts --------------------
    const teams: Team[] = [];
    for (let i = 0; i < TEAMS; i++) {
      const id = `T0CHAOS${i}`;
      const admin = `U0CH${i}ADMIN`;
      const member = `U0CH${i}MEMB`;
      slack.addTeam({ id, name: `chaos ${i}` });
      slack.addUser({ teamId: id, id: admin, name: `admin${i}`, locale: i % 2 ? 'en-US' : 'ja-JP', isAdmin: true });
      slack.addUser({ teamId: id, id: member, name: `member${i}`, locale: 'ja-JP' });
      const token = slack.issueBotToken(id);
      const bot = slack.botUser(id);
      const installation: Installation<'v2', false> = {
        team: { id, name: `chaos ${i}` },
        enterprise: undefined,
        user: { id: admin, token: undefined, scopes: undefined },
        bot: { token, scopes: ['commands', 'chat:write'], id: bot.botId, userId: bot.userId },
        tokenType: 'bot',
        isEnterpriseInstall: false,
        appId: 'A0CHAOS',
        authVersion: 'v2',
      };
      const now = new Date();
      await db.collection('installations').insertOne({
        _id: id as never,
        teamId: id,
        botUserId: bot.userId,
        installedBy: admin,
        encrypted: keyring.encryptJson(installation, installationAad(id)),
        installedAt: now,
        updatedAt: now,
      });
      await db.collection('orgs').insertOne({ _id: id as never, zone: 'Asia/Tokyo', settings: { privateCards: false }, createdAt: now });
      await db.collection('members').insertOne({ teamId: id, userId: admin, orgRole: 'org_admin', updatedAt: now, updatedBy: admin });
      const team: Team = { id, admin, member, jobs: [], accounts: [] };
      for (const [j, pattern] of ['バックエンド', 'フロントエンド'].entries()) {
        const channel = `C0CH${i}J${j}`;
        slack.addChannel({ teamId: id, id: channel, name: `jobs-${i}-${j}`, members: [bot.userId, admin] });
        const jobId = new ObjectId();
        const name = `${pattern} ${i}`;
        await db.collection('jobs').insertOne({
          _id: jobId,
          teamId: id,
          name,
          nameKey: searchKey(name),
          channelId: channel,
          admins: [admin],
          members: [member],
          createdBy: admin,
          createdAt: now,
          updatedAt: now,
        });
        await db.collection('mappingRules').insertOne({
          teamId: id,
          medium: 'wantedly',
          pattern,
          match: 'contains',
          jobId,
          createdBy: admin,
          createdAt: now,
        });
        team.jobs.push({ id: jobId, channel, pattern });
      }
      for (let a = 0; a < 2; a++) {
        const key = `wantedly-chaos-${opts.label}-${i}-${a}-000`;
        wantedly.addAccount({ apiKey: key });
        wantedly.generateEntries(key, {
          count: 40,
          meetupRatio: 0.2,
          seed: opts.seed + i * 10 + a,
          tieEvery: 5,
          start: new Date(Date.now() - 40 * 60_000).toISOString(),
          stepMs: 60_000,
        });
        const accId = new ObjectId();
        const creds = { medium: 'wantedly' as const, apiKey: key };
        await db.collection('mediaAccounts').insertOne({
          _id: accId,
          teamId: id,
          medium: 'wantedly',
          label: `chaos ${i}-${a}`,
          state: 'linked',
          paused: false,
          linkedBy: admin,
          credentials: keyring.encryptJson(creds, credentialsAad(id, String(accId))),
          credentialFingerprint: credentialFingerprint(keyring, id, creds),
          cursor: null,
          firstImportDone: false,
          failures: 0,
          createdAt: now,
          updatedAt: now,
        });
        // one account per day is revoked on the medium at some moment of the day
        team.accounts.push({ id: accId, key, revokeAt: i === 0 && a === 1 ? 0.3 + rand() * 0.4 : undefined });
      }
      teams.push(team);
    }

    const chaos = (seed: number, paths?: string[]): ChaosOptions => ({ seed, rates: RATES, hangMs: 2_500, retryAfterSec: 1, paths });
    const origin = new Date().toISOString();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      SLACK_SIGNING_SECRET: 'chaos-secret',
      SLACK_CLIENT_ID: '1111.2222',
      SLACK_CLIENT_SECRET: 'chaos-client-secret',
      SLACK_STATE_SECRET: 'chaos-state-secret',
      SLACK_API_URL: slack.apiUrl,
      ENCRYPTION_KEY: `k1:${encKey}`,
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.dbName,
      WANTEDLY_API_URL: wantedly.url,
      IMPORT_RUN_TIMEOUT_MS: '8000',
      CONNECTOR_TIMEOUT_MS: '2000',
      SCHEDULE_TIME_SCALE: String(DAY_SCALE),
      SCHEDULE_TIME_ORIGIN: origin,
      TRIAL_CARD_POSTING: JSON.stringify({ intervalMs: 50, maxRetryAfterSec: 2, leaseMs: 6_000, retryLaterMs: 5_000 }),
    };
    const spawnApp = (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/app-child.ts'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return new Promise((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += String(d);
          if (out.includes('ready ')) resolve(child);
        });
        child.stderr!.on('data', (d) => {
          out += String(d);
        });
        child.once('exit', (code) => reject(new Error(`app exited early (${code}): ${out.slice(-800)}`)));
      });
    };

    // ---- the day -------------------------------------------------------------------------------
    slack.setChaos(chaos(opts.seed + 1, ['/api/']));
    wantedly.setChaos(chaos(opts.seed + 2));
    const apps: ChildProcess[] = [];
    for (let n = 0; n < opts.instances; n++) apps.push(await spawnApp());
    // the day starts once the app is up (a loaded machine may take a while to start it); restarts
    // do not count as day time, so every day sees its cycles and its three kills
    let start = Date.now();
    const kills = [0.2, 0.45, 0.7].map((f) => (f + (rand() - 0.5) * 0.15) * DAY_MS);
    let killed = 0;
    let arrived = 0;
    let tick = 0;
    while (Date.now() - start < DAY_MS) {
      await new Promise((r) => setTimeout(r, 1_000));
      tick++;
      // new applicants through the day (not on a revoked account: the medium would not offer them)
      for (const t of teams)
        for (const a of t.accounts) {
          if (a.revokeAt !== undefined && Date.now() - start >= a.revokeAt * DAY_MS) {
            wantedly.updateAccount(a.key, { revoked: true });
            continue;
          }
          if (rand() < 0.5) {
            const n = 1 + Math.floor(rand() * 3);
            wantedly.generateEntries(a.key, {
              count: n,
              meetupRatio: 0.2,
              seed: opts.seed * 1000 + tick * 7 + arrived,
              // applied now, 1 ms apart: a medium lists new entries after those it served before
              start: new Date().toISOString(),
              stepMs: 1,
            });
            arrived += n;
          }
        }
      if (killed < kills.length && Date.now() - start >= kills[killed]) {
        // kill -9 one instance (the first, or in turn with two) and start it again
        const victim = killed % apps.length;
        const child = apps[victim];
        child.kill('SIGKILL');
        await new Promise((r) => (child.exitCode !== null || child.signalCode ? r(null) : child.once('exit', r)));
        const down = Date.now();
        apps[victim] = await spawnApp();
        start += Date.now() - down;
        killed++;
      }
    }
    const chaosCounts = { slack: slack.chaosCounts(), wantedly: wantedly.chaosCounts() };
    // ---- the evening: faults stop, the app catches up --------------------------------------------
    slack.setChaos(null);
    wantedly.setChaos(null);
    const healthy = teams.flatMap((t) => t.accounts.filter((a) => a.revokeAt === undefined).map((a) => ({ t, a })));
    const expectedFor = (key: string) => wantedly.entries(key).filter((e) => e.kind !== 'meetup');
    const settleDeadline = Date.now() + 120_000;
    let settled = false;
    while (Date.now() < settleDeadline) {
      const imported = await db.collection('candidates').countDocuments({});
      const want = healthy.reduce((s, { a }) => s + expectedFor(a.key).length, 0);
      const healthyIds = healthy.map(({ a }) => a.id);
      const importedHealthy = await db.collection('candidates').countDocuments({ accountIds: { $in: healthyIds } });
      const cardsWaiting = await db.collection('candidates').countDocuments({ jobId: { $ne: null }, 'card.state': { $ne: 'posted' } });
      const running = await db
        .collection('importRuns')
        .countDocuments({ outcome: 'running', startedAt: { $gt: new Date(Date.now() - 15_000) } });
      if (importedHealthy >= want && cardsWaiting === 0 && running === 0 && imported > 0) {
        settled = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    if (!settled) violations.push('the app did not catch up within 2 minutes after the faults stopped');
    // a last quiet moment so that notices of the last runs are out, then the apps stop
    await new Promise((r) => setTimeout(r, 3_000));
    // no job locked past its lifetime while a worker runs (a live worker reclaims expired locks)
    const lifetime: Record<string, number> = { 'import-api': 16_000, 'auth-api': 300_000, 'card-post': 60_000, 'card-sweep': 30_000 };
    for (const j of await db
      .collection('agendaJobs')
      .find({ lockedAt: { $ne: null } })
      .toArray())
      if (Date.now() - j.lockedAt.getTime() > (lifetime[j.name] ?? 300_000) + 15_000)
        violations.push(`agenda job ${j.name} ${JSON.stringify(j.data)} locked since ${j.lockedAt.toISOString()}`);
    const jobsAtEnd = await db.collection('agendaJobs').find({ name: 'import-api' }).toArray();
    const accountsAtEnd = await db
      .collection('mediaAccounts')
      .find({}, { projection: { label: 1, state: 1, lastError: 1, runLease: 1 } })
      .toArray();
    for (const c of apps) {
      c.kill('SIGTERM');
      await new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once('exit', r)));
    }

    // ---- the end state against the emulators' record ---------------------------------------------
    const candidates = await db.collection('candidates').find({}).toArray();
    const key = (c: { teamId: string; externalId: string }) => `${c.teamId}:${c.externalId}`;
    const seen = new Map<string, number>();
    for (const c of candidates) seen.set(key(c as never), (seen.get(key(c as never)) ?? 0) + 1);
    for (const [k, n] of seen) if (n > 1) violations.push(`candidate ${k} stored ${n} times`);
    for (const t of teams)
      for (const a of t.accounts) {
        const offered = expectedFor(a.key);
        const mine = new Set(
          candidates.filter((c) => c.teamId === t.id && c.accountIds?.some((x: ObjectId) => x.equals(a.id))).map((c) => c.externalId),
        );
        const offeredIds = new Set(offered.map((e) => String(e.id)));
        for (const id of mine) if (!offeredIds.has(id)) violations.push(`candidate ${t.id}:${id} was never offered by the medium`);
        if (a.revokeAt === undefined)
          for (const e of offered) if (!mine.has(String(e.id))) violations.push(`applicant ${t.id}:${e.id} (${a.key}) never imported`);
        const acc = await db.collection('mediaAccounts').findOne({ _id: a.id });
        if (a.revokeAt !== undefined) {
          if (acc?.state !== 'auth_failed' || acc.lastError?.reason !== 'auth:invalid_credentials')
            violations.push(
              `revoked account ${a.key} ends ${acc?.state} ${acc?.lastError?.reason ?? ''}, not auth_failed/auth:invalid_credentials`,
            );
        } else if (acc?.state !== 'linked') violations.push(`healthy account ${a.key} ends ${acc?.state} ${acc?.lastError?.reason ?? ''}`);
      }
    // cards: each routed candidate's card exactly once, in its job's channel (or that channel's digest thread)
    const messages = slack.messages({ includeDeleted: true });
    const cardsByBlock = new Map<string, typeof messages>();
    for (const m of messages)
      for (const b of (m.blocks ?? []) as { block_id?: string }[])
        if (b.block_id?.startsWith('card_')) cardsByBlock.set(b.block_id, [...(cardsByBlock.get(b.block_id) ?? []), m]);
    let routed = 0;
    for (const c of candidates) {
      const t = teams.find((x) => x.id === c.teamId)!;
      const job = t.jobs.find((j) => c.postingTitle.includes(j.pattern));
      if (!job) {
        if (c.jobId) violations.push(`candidate ${c._id} routed though no rule matches "${c.postingTitle}"`);
        if (cardsByBlock.has(`card_${c._id}`)) violations.push(`unrouted candidate ${c._id} has a card`);
        continue;
      }
      routed++;
      if (!c.jobId?.equals(job.id)) violations.push(`candidate ${c._id} (${c.postingTitle}) routed to ${c.jobId}, not ${job.id}`);
      const posted = cardsByBlock.get(`card_${c._id}`) ?? [];
      if (posted.length !== 1) violations.push(`card of ${c._id} posted ${posted.length} times`);
      for (const m of posted) if (m.channel !== job.channel) violations.push(`card of ${c._id} in ${m.channel}, not ${job.channel}`);
      if (c.card?.state !== 'posted') violations.push(`card of ${c._id} ends ${c.card?.state}`);
    }
    // import notices: one DM per run per person, and every new candidate told of
    const dms = messages.filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'hire_relay_import_finished');
    const perRunUser = new Map<string, number>();
    const createdTold = new Map<string, number>();
    for (const m of dms) {
      const p = (m.metadata as { event_payload: { runId: string; created: number } }).event_payload;
      const k = `${p.runId}:${m.channel}`;
      perRunUser.set(k, (perRunUser.get(k) ?? 0) + 1);
      createdTold.set(p.runId, p.created);
    }
    for (const [k, n] of perRunUser) if (n > 1) violations.push(`import notice ${k} sent ${n} times`);
    // a run killed after storing (or while telling) leaves its candidates to the next run's notice:
    // the check is per candidate, not per run
    const runs = await db.collection('importRuns').find({}).toArray();
    const untold = await db.collection('candidates').countDocuments({ announced: false });
    if (untold) violations.push(`${untold} candidates nobody was told of`);
    const toldTotal = [...createdTold.values()].reduce((s, n) => s + n, 0);
    if (toldTotal !== candidates.length) violations.push(`notices told of ${toldTotal} new candidates, ${candidates.length} were imported`);
    // the auth failure told once to the org admin (one run ends in it: no further run)
    const failedDms = messages.filter(
      (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'hire_relay_import_failed',
    );
    const authTold = failedDms.filter((m) =>
      (m.metadata as { event_payload: { reason: string } }).event_payload.reason.startsWith('auth:'),
    );
    const revoked = teams.flatMap((t) => t.accounts.filter((a) => a.revokeAt !== undefined).map(() => t));
    if (authTold.length !== revoked.length)
      violations.push(`${authTold.length} auth failure notices for ${revoked.length} revoked accounts`);
    const failedPerRun = new Map<string, number>();
    for (const m of failedDms) {
      const k = `${(m.metadata as { event_payload: { runId: string } }).event_payload.runId}:${m.channel}`;
      failedPerRun.set(k, (failedPerRun.get(k) ?? 0) + 1);
    }
    for (const [k, n] of failedPerRun) if (n > 1) violations.push(`failure notice ${k} sent ${n} times`);
    const stats = {
      seed: opts.seed,
      instances: opts.instances,
      dayMs: DAY_MS,
      kills: killed,
      candidates: candidates.length,
      routed,
      cards: candidates.filter((c) => cardsByBlock.has(`card_${c._id}`)).length,
      runs: runs.length,
      runsKilled: runs.filter((r) => r.outcome === 'running').length,
      runsFailed: runs.filter((r) => r.outcome === 'system_error').length,
      notices: dms.length,
      failureNotices: failedDms.length,
      chaos: chaosCounts,
      accounts: accountsAtEnd.map((a) => {
        const j = jobsAtEnd.find((x) => x.data?.accountId === String(a._id));
        return `${a.label}: ${a.state} ${a.lastError?.reason ?? ''} lease ${a.runLease?.until?.toISOString() ?? '-'} job next ${j?.nextRunAt?.toISOString() ?? null} locked ${j?.lockedAt?.toISOString() ?? null} disabled ${j?.disabled ?? false}`;
      }),
      lastRuns: Object.fromEntries(
        await Promise.all(
          accountsAtEnd.map(async (a) => [
            a.label,
            (await db.collection('importRuns').find({ accountId: a._id }).sort({ startedAt: -1 }).limit(3).toArray()).map(
              (r) => `${r.startedAt.toISOString()} ${r.outcome} ${r.error ?? ''} ${r.created}`,
            ),
          ]),
        ),
      ),
    };
    return { seed: opts.seed, violations, stats };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await wantedly.close();
    await slack.close();
    await mongo.close();
  }
}
