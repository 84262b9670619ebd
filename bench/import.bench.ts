/**
 * Linking and import figures, through the real app (in process), the embedded MongoDB, the Slack
 * emulator and the media emulators (no injected delay). Each figure has a same-run baseline:
 *   link_auth_browser_s        submit → linked for a console medium (BizReach, Chromium);
 *                              baseline: the same for Wantedly (API) — the ratio between them
 *   link_peak_rss_mb           peak RSS of the app + its Chromium during 4 concurrent console logins (goal ≤ 1,024)
 *   import_100_wantedly_s      one run storing and notifying 100 new applicants (goal ≤ 1.5 s);
 *                              baseline: the connector fetching those 100 alone
 *   import_100_console_s       the same on BizReach through Chromium (goal ≤ 20 s); baseline: fetch alone
 *   import_cycle_1000_accounts_s  1,000 linked Wantedly accounts (50 workspaces, 2 new applicants each)
 *                              all due at once, run by Agenda with the app's settings (goal: ratio ≤ 1.5);
 *                              baseline: the same 1,000 runs called directly, 8 at a time
 *   import_cycle_10000_accounts_s the same with 10,000 accounts (goal ≤ 240 s: the cycle is 300 s), with
 *                              the peak memory
 *   import_peak_rss_mb         peak RSS of the app + Chromium during that cycle with 4 console imports
 *                              running beside it (goal ≤ 1,536)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../test/helpers/app';
import { insertLinkedAccount } from '../test/helpers/accounts';
import { runImport } from '../src/domain/imports';
import { connectorFor } from '../src/domain/connector-context';
import { agendaAccountJobs } from '../src/jobs/account-jobs';
import type { Credentials } from '../connectors/types';
import type { Medium } from '../src/vocabulary';
import type { BenchMetric, BenchResult } from './types';

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Memory (PSS) of this process and all its descendants (the app and its Chromium), in MB. */
function rssMb(): number {
  const parent = new Map<number, number>();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  let kb = 0;
  for (const pid of mine) {
    try {
      // PSS: shared pages (Chromium's processes share most of theirs) counted once, proportionally
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

/** Samples every `everyMs` (reading /proc costs this process CPU: keep it rare beside timed work). */
function sampler(everyMs = 100) {
  let peak = rssMb();
  const t = setInterval(() => (peak = Math.max(peak, rssMb())), everyMs);
  return {
    stop: () => {
      clearInterval(t);
      return Math.max(peak, rssMb());
    },
  };
}

const insertAccount = (h: Harness, teamId: string, medium: Medium, creds: Credentials, label: string) =>
  insertLinkedAccount(h.app.deps, teamId, medium, creds, label);

async function linkThroughSlack(
  h: Harness,
  teamId: string,
  medium: Medium,
  values: Record<string, string>,
  label: string,
  admin = `U${teamId.slice(1)}ADMIN`,
): Promise<number> {
  const since = h.slack.calls('views.open').length;
  await h.slack.slash({ teamId, userId: admin, text: `link ${medium}` });
  let call: ReturnType<typeof h.slack.calls>[number] | undefined;
  const mine = (c: { args: Record<string, unknown> }) => {
    const view = c.args.view as { callback_id?: string; private_metadata?: string } | string;
    const v = typeof view === 'string' ? JSON.parse(view) : view;
    return v?.callback_id === 'acct:save' && JSON.parse(v.private_metadata ?? '{}').medium === medium;
  };
  while (!(call = h.slack.calls('views.open').slice(since).find(mine))) await sleep(5);
  const viewId = (call.response as { view: { id: string } }).view.id;
  const v: Record<string, { value: string }> = { label: { value: label } };
  for (const [k, val] of Object.entries(values)) v[k] = { value: val };
  const t0 = now();
  await h.slack.submitView({ userId: admin, viewId, values: v });
  for (;;) {
    const a = await h.app.deps.store.mediaAccounts.findOne({ teamId, label }, { projection: { state: 1 } });
    if (a && a.state !== 'authenticating') {
      if (a.state !== 'linked') throw new Error(`${label} ended ${a.state}`);
      return (now() - t0) / 1000;
    }
    await sleep(10);
  }
}

const linkMetrics: BenchMetric = {
  name: 'link_',
  emits: ['link_auth_browser_s', 'link_peak_rss_mb'],
  async run() {
    const h = await startHarness({ media: true, env: { LOG_LEVEL: 'silent', IMPORT_BROWSER_CONCURRENCY: '4' } });
    try {
      const T = 'T0BLINK';
      await h.install(T);
      const api: number[] = [];
      const browser: number[] = [];
      for (let i = 0; i < 3; i++) {
        h.media!.wantedly.addAccount({ apiKey: `bench-link-wantedly-${i}-0000` });
        api.push(await linkThroughSlack(h, T, 'wantedly', { api_key: `bench-link-wantedly-${i}-0000` }, `w${i}`));
        h.media!.bizreach.addAccount({ login: `bench${i}@bizreach.example`, password: 'pw' });
        browser.push(await linkThroughSlack(h, T, 'bizreach', { email: `bench${i}@bizreach.example`, password: 'pw' }, `b${i}`));
      }
      // 4 concurrent console logins, by 4 org admins (one modal per person at a time, as in Slack)
      const media = ['bizreach', 'green', 'findy', 'paiza'] as const;
      for (const m of media) {
        h.slack.addUser({ teamId: T, id: `U0ADM${m.toUpperCase()}`, name: m, locale: 'ja-JP' });
        await h.app.deps.store.members.insertOne({
          teamId: T,
          userId: `U0ADM${m.toUpperCase()}`,
          orgRole: 'org_admin',
          updatedAt: new Date(),
        });
      }
      const field = { bizreach: 'email', green: 'company_id', findy: 'email', paiza: 'user_id' } as const;
      for (const m of media) h.media![m].addAccount({ login: `rss-${m}@x.example`, password: 'pw' });
      const s = sampler();
      await Promise.all(
        media.map((m) =>
          linkThroughSlack(h, T, m, { [field[m]]: `rss-${m}@x.example`, password: 'pw' }, `rss-${m}`, `U0ADM${m.toUpperCase()}`),
        ),
      );
      const peak = s.stop();
      const b = median(browser);
      const a = median(api);
      return [
        {
          metric: 'link_auth_browser_s',
          value: round(b),
          unit: 's',
          baseline: round(a),
          ratio: round(b / a, 2),
          n: browser.length,
          baseline_is: 'link_auth_wantedly_s',
        },
        { metric: 'link_peak_rss_mb', value: Math.round(peak), unit: 'MB', goal: '<= 1024', n: 4 },
      ];
    } finally {
      await h.close();
    }
  },
};

async function timedRun(h: Harness, teamId: string, id: string) {
  const t0 = now();
  const r = await runImport(h.app.deps, teamId, id);
  if (r.outcome !== 'success') throw new Error(`run ended ${r.outcome}`);
  return { s: (now() - t0) / 1000, created: r.summary!.created };
}

async function timedFetch(h: Harness, medium: Medium, creds: Credentials) {
  const { connector, ctx } = connectorFor(h.app.deps, medium);
  const t0 = now();
  const res = await connector.fetchApplicants(creds, { cursor: null, limit: 100 }, ctx);
  if (res.applicants.length !== 100) throw new Error(`fetched ${res.applicants.length}`);
  return (now() - t0) / 1000;
}

const import100: BenchMetric = {
  name: 'import_100_',
  emits: ['import_100_wantedly_s', 'import_100_console_s'],
  async run() {
    const h = await startHarness({ media: true, env: { LOG_LEVEL: 'silent' } });
    try {
      const T = 'T0BIMPORT';
      await h.install(T);
      h.slack.setRateLimits(false);
      h.media!.wantedly.setRateLimit(0);
      const out: BenchResult[] = [];
      for (const medium of ['wantedly', 'bizreach'] as const) {
        const runs: number[] = [];
        const fetches: number[] = [];
        for (let i = 0; i < 3; i++) {
          let creds: Credentials;
          if (medium === 'wantedly') {
            const key = `bench-import-wantedly-${i}-000`;
            h.media!.wantedly.addAccount({ apiKey: key });
            h.media!.wantedly.generateEntries(key, { count: 100, meetupRatio: 0, seed: i });
            creds = { medium, apiKey: key };
          } else {
            const login = `bench-import-${i}@bizreach.example`;
            h.media!.bizreach.addAccount({ login, password: 'pw' });
            h.media!.bizreach.generateApplicants(login, { count: 100, seed: i });
            creds = { medium, email: login, password: 'pw' };
          }
          fetches.push(await timedFetch(h, medium, creds));
          const id = await insertAccount(h, T, medium, creds, `${medium}-${i}`);
          const r = await timedRun(h, T, id);
          if (r.created !== 100) throw new Error(`created ${r.created}`);
          runs.push(r.s);
        }
        const v = median(runs);
        const b = median(fetches);
        out.push({
          metric: medium === 'wantedly' ? 'import_100_wantedly_s' : 'import_100_console_s',
          value: round(v),
          unit: 's',
          baseline: round(b),
          ratio: round(v / b, 2),
          n: runs.length,
          goal: medium === 'wantedly' ? '<= 1.5' : '<= 20',
          baseline_is: 'connector fetch of the same 100 alone',
        });
      }
      return out;
    } finally {
      await h.close();
    }
  },
};

/**
 * Import cycles of `n` Wantedly accounts run by Agenda, with the app's own Agenda settings (not the
 * tests' 100 ms polling): each cycle's jobs are written while Agenda is stopped, all due at once,
 * and its clock starts when Agenda starts. `direct`: first the same runs called directly, 8 at a
 * time (the baseline, on the same machine in the same process). `consoles`: a second cycle of the
 * same accounts with 4 console imports (Chromium) running beside it, for the peak memory figure —
 * apart from the first, whose time is compared with the baseline: Chromium's CPU is not scheduling.
 */
async function importCycle(n: number, o: { direct: boolean; consoles: boolean }) {
  const h = await startHarness({
    media: true,
    env: { LOG_LEVEL: 'silent', IMPORT_BROWSER_CONCURRENCY: '4', IMPORT_API_CONCURRENCY: '8' },
    agendaProcessEveryMs: null,
  });
  try {
    h.slack.setRateLimits(false);
    h.media!.wantedly.setRateLimit(0);
    const TEAMS = 50;
    const teams = Array.from({ length: TEAMS }, (_, i) => `T0CYC${String(i).padStart(3, '0')}`);
    for (const t of teams) await h.install(t);
    const make = async (prefix: string) => {
      const ids: { teamId: string; id: string }[] = [];
      for (let i = 0; i < n; i++) {
        const teamId = teams[i % TEAMS];
        const key = `${prefix}-cycle-key-${String(i).padStart(5, '0')}`;
        h.media!.wantedly.addAccount({ apiKey: key });
        h.media!.wantedly.generateEntries(key, { count: 2, meetupRatio: 0, seed: i });
        ids.push({ teamId, id: await insertAccount(h, teamId, 'wantedly', { medium: 'wantedly', apiKey: key }, `${prefix}-${i}`) });
      }
      return ids;
    };
    const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
    let baseline: { s: number; cpuS: number } | undefined;
    if (o.direct) {
      const direct = await make('direct');
      const c0 = process.cpuUsage();
      const t0 = now();
      for (let i = 0; i < direct.length; i += 8)
        await Promise.all(direct.slice(i, i + 8).map((a) => runImport(h.app.deps, a.teamId, a.id)));
      baseline = { s: (now() - t0) / 1000, cpuS: cpuS(process.cpuUsage(c0)) };
      await h.app.deps.store.mediaAccounts.updateMany({ label: /^direct-/ }, { $set: { paused: true } });
    }
    const cycleAccounts = await make('agenda');
    const jobs = agendaAccountJobs(h.app.agenda, h.app.deps.store.db);
    let completed = 0;
    h.app.agenda.on('complete:import-api', () => completed++);
    /** One cycle: every account due at once; resolves when all n runs are written. */
    const runCycle = async (before: () => Promise<void>) => {
      await h.app.agenda.stop();
      await before();
      for (const a of cycleAccounts) await jobs.scheduleImport({ id: a.id, teamId: a.teamId, medium: 'wantedly' });
      const since = await h.app.deps.store.importRuns.countDocuments({ medium: 'wantedly', outcome: { $ne: 'running' } });
      completed = 0;
      const c0 = process.cpuUsage();
      const t0 = now();
      await h.app.agenda.start();
      for (;;) {
        if (completed >= n) {
          const done = await h.app.deps.store.importRuns.countDocuments({ medium: 'wantedly', outcome: { $ne: 'running' } });
          if (done - since >= n) break;
        }
        if ((now() - t0) / 1000 > 900) throw new Error(`cycle incomplete: ${completed}/${n}`);
        await sleep(50);
      }
      return { s: (now() - t0) / 1000, cpuS: cpuS(process.cpuUsage(c0)) };
    };
    // memory sampled once a second, and only around the cycle with the consoles when there is one:
    // reading /proc every 100 ms cost the timed cycle up to a fifth of its event loop
    let s = o.consoles ? undefined : sampler(1000);
    const first = await runCycle(async () => {});
    const errors = await h.app.deps.store.mediaAccounts.countDocuments({ label: /^agenda-/, 'lastRun.outcome': { $ne: 'success' } });
    let second: { s: number; cpuS: number } | undefined;
    if (o.consoles) {
      const consoles = ['bizreach', 'green', 'findy', 'paiza'] as const;
      const field = { bizreach: 'email', green: 'companyId', findy: 'email', paiza: 'userId' } as const;
      second = await runCycle(async () => {
        s = sampler(1000);
        for (const m of consoles) {
          const login = `cycle-${m}@x.example`;
          h.media![m].addAccount({ login, password: 'pw' });
          h.media![m].generateApplicants(login, { count: 100, seed: 3 });
          const creds = { medium: m, [field[m]]: login, password: 'pw' } as Credentials;
          const id = await insertAccount(h, teams[0], m, creds, `cycle-console-${m}`);
          await jobs.scheduleImport({ id, teamId: teams[0], medium: m });
        }
      });
      const t0 = now();
      for (;;) {
        const c = await h.app.deps.store.mediaAccounts.countDocuments({ label: /^cycle-console-/, lastRun: { $exists: true } });
        if (c >= consoles.length || (now() - t0) / 1000 > 300) break;
        await sleep(200);
      }
    }
    return { first, second, baseline, errors, peak: s!.stop() };
  } finally {
    await h.close();
  }
}

const cycle: BenchMetric = {
  name: 'import_cycle_1000_',
  emits: ['import_cycle_1000_accounts_s', 'import_peak_rss_mb'],
  async run() {
    const N = 1000;
    const r = await importCycle(N, { direct: true, consoles: true });
    const b = r.baseline!;
    return [
      {
        metric: 'import_cycle_1000_accounts_s',
        value: round(r.first.s, 2),
        unit: 's',
        baseline: round(b.s, 2),
        ratio: round(r.first.s / b.s, 2),
        n: N,
        goal: 'ratio <= 1.5',
        failed_runs: r.errors,
        cpu_s: round(r.first.cpuS, 1),
        baseline_cpu_s: round(b.cpuS, 1),
        cpu_ratio: round(r.first.cpuS / b.cpuS, 2),
        with_4_consoles_s: round(r.second!.s, 2),
        baseline_is: 'the same 1,000 runs called directly, 8 at a time',
      },
      { metric: 'import_peak_rss_mb', value: Math.round(r.peak), unit: 'MB', goal: '<= 1536', n: 1 },
    ];
  },
};

const cycle10k: BenchMetric = {
  name: 'import_cycle_10000_',
  emits: ['import_cycle_10000_accounts_s'],
  async run() {
    const N = 10_000;
    const r = await importCycle(N, { direct: false, consoles: false });
    return [
      {
        metric: 'import_cycle_10000_accounts_s',
        value: round(r.first.s, 2),
        unit: 's',
        n: N,
        goal: '<= 240',
        failed_runs: r.errors,
        runs_per_s: round(N / r.first.s, 1),
        cpu_s: round(r.first.cpuS, 1),
        peak_rss_mb: Math.round(r.peak),
      },
    ];
  },
};

export const metrics: BenchMetric[] = [linkMetrics, import100, cycle, cycle10k];
