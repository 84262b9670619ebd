/**
 * Connector benchmarks (BenchMetric modules, see bench/types.ts). To run them with `npm run bench`,
 * bench/media.bench.ts re-exports: `export { metrics } from '../test/connectors/media-bench';`
 *  - connector_fetch_100_console_s: log in + read 100 applicants from a console (BizReach emulator) through
 *    Chromium; baseline = the same pages fetched and parsed over plain HTTP (no browser).
 *  - connector_auth_console_ms: authenticate (fresh context, login, first list page); baseline = plain HTTP login.
 *  - connector_fetch_100_wantedly_ms: 100 entries through the Wantedly connector; baseline = one raw API call.
 */
import type { BenchMetric, BenchResult } from '../../bench/types';
import { startMediumConsole } from '../../emulators/media-console/index';
import { startWantedlyEmulator } from '../../emulators/wantedly/index';
import { getConnector } from '../../connectors/index';
import { closeBrowser } from '../../connectors/browser';
import { CONSOLE_CONFIGS } from '../../connectors/console/config';
import { parseListPage } from '../../connectors/console/parse';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

async function plainLogin(base: string, login: string, password: string): Promise<string> {
  const page = await (await fetch(`${base}/login`)).text();
  const csrf = page.match(/name="csrf_token" value="([^"]+)"/)?.[1] ?? '';
  const r = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ csrf_token: csrf, email: login, password }),
  });
  return r.headers.get('set-cookie')?.split(';')[0] ?? '';
}

export const metrics: BenchMetric[] = [
  {
    name: 'connector_fetch_100_console_s',
    emits: ['connector_auth_console_ms'],
    async run(): Promise<BenchResult[]> {
      const emu = await startMediumConsole('bizreach');
      const login = 'bench@example.jp';
      emu.addAccount({ login, password: 'bench-pass' });
      emu.generateApplicants(login, { count: 300, tieEvery: 4 });
      const creds = { medium: 'bizreach', email: login, password: 'bench-pass' } as const;
      const ctx = { baseUrl: emu.url, timeoutMs: 20_000 };
      const c = getConnector('bizreach');
      try {
        await c.authenticate(creds, ctx); // warm the shared browser
        const n = 3;
        const imports: number[] = [];
        const auths: number[] = [];
        const plainImports: number[] = [];
        const plainAuths: number[] = [];
        for (let i = 0; i < n; i++) {
          imports.push(await timed(() => c.fetchApplicants(creds, { cursor: null, limit: 100 }, ctx)));
          auths.push(await timed(() => c.authenticate(creds, ctx)));
          plainAuths.push(await timed(() => plainLogin(emu.url, login, 'bench-pass')));
          plainImports.push(
            await timed(async () => {
              const cookie = await plainLogin(emu.url, login, 'bench-pass');
              let got = 0;
              for (let p = 1; got < 100; p++) {
                const url = `${emu.url}/applicants?sort=applied_asc&page=${p}`;
                const html = await (await fetch(url, { headers: { cookie } })).text();
                got += parseListPage(html, CONSOLE_CONFIGS.bizreach, url).applicants.length;
              }
            }),
          );
        }
        const imp = median(imports) / 1000;
        const impBase = median(plainImports) / 1000;
        const auth = median(auths);
        const authBase = median(plainAuths);
        return [
          {
            metric: 'connector_fetch_100_console_s',
            value: +imp.toFixed(3),
            unit: 's',
            baseline: +impBase.toFixed(3),
            ratio: +(imp / impBase).toFixed(2),
            goal: '< 20 s',
            n,
          },
          {
            metric: 'connector_auth_console_ms',
            value: +auth.toFixed(1),
            unit: 'ms',
            baseline: +authBase.toFixed(1),
            ratio: +(auth / authBase).toFixed(2),
            n,
          },
        ];
      } finally {
        await closeBrowser();
        await emu.close();
      }
    },
  },
  {
    name: 'connector_fetch_100_wantedly_ms',
    async run(): Promise<BenchResult[]> {
      const emu = await startWantedlyEmulator();
      emu.addAccount({ apiKey: 'bench-key' });
      emu.setRateLimit(0);
      emu.generateEntries('bench-key', { count: 300 });
      const c = getConnector('wantedly');
      const creds = { medium: 'wantedly', apiKey: 'bench-key' } as const;
      const ctx = { baseUrl: emu.url, timeoutMs: 10_000 };
      try {
        const n = 20;
        const xs: number[] = [];
        const base: number[] = [];
        for (let i = 0; i < n; i++) {
          xs.push(await timed(() => c.fetchApplicants(creds, { cursor: null, limit: 100 }, ctx)));
          base.push(
            await timed(async () =>
              (await fetch(`${emu.url}/v1/entries?limit=100`, { headers: { authorization: 'Bearer bench-key' } })).json(),
            ),
          );
        }
        const v = median(xs);
        const b = median(base);
        return [
          {
            metric: 'connector_fetch_100_wantedly_ms',
            value: +v.toFixed(2),
            unit: 'ms',
            baseline: +b.toFixed(2),
            ratio: +(v / b).toFixed(2),
            n,
          },
        ];
      } finally {
        await emu.close();
      }
    },
  },
];
