/** Starts all six job-media emulators (tests, sandbox, benches). */
import { pathToFileURL } from 'node:url';
import type { Credentials } from '../connectors/types';
import type { Medium } from '../src/vocabulary';
import { startWantedlyEmulator, type WantedlyEmulator } from './wantedly/index';
import { startMediumConsole, type ConsoleEmulator, type ReceivedRequest } from './media-console/index';

export interface MediaEmulators {
  wantedly: WantedlyEmulator;
  bizreach: ConsoleEmulator;
  green: ConsoleEmulator;
  findy: ConsoleEmulator;
  paiza: ConsoleEmulator;
  openwork: ConsoleEmulator;
  urls: Record<Medium, string>;
  close(): Promise<void>;
}

/** `onRequest`: a wire record of every request any of the six received (see EmulatorOptions). */
export async function startMediaEmulators(
  ports: Partial<Record<Medium, number>> = {},
  opts: { onRequest?: (medium: Medium, r: ReceivedRequest) => void } = {},
): Promise<MediaEmulators> {
  const rec = (medium: Medium) => (opts.onRequest ? { onRequest: (r: ReceivedRequest) => opts.onRequest?.(medium, r) } : {});
  const [wantedly, bizreach, green, findy, paiza, openwork] = await Promise.all([
    startWantedlyEmulator({ port: ports.wantedly, ...rec('wantedly') }),
    startMediumConsole('bizreach', { port: ports.bizreach, ...rec('bizreach') }),
    startMediumConsole('green', { port: ports.green, ...rec('green') }),
    startMediumConsole('findy', { port: ports.findy, ...rec('findy') }),
    startMediumConsole('paiza', { port: ports.paiza, ...rec('paiza') }),
    startMediumConsole('openwork', { port: ports.openwork, ...rec('openwork') }),
  ]);
  return {
    wantedly,
    bizreach,
    green,
    findy,
    paiza,
    openwork,
    urls: {
      wantedly: wantedly.url,
      bizreach: bizreach.url,
      green: green.url,
      findy: findy.url,
      paiza: paiza.url,
      openwork: openwork.url,
    },
    async close() {
      await Promise.all([wantedly, bizreach, green, findy, paiza, openwork].map((e) => e.close()));
    },
  };
}

/** Demo credentials the sandbox can link (one account per medium, seeded by seedMediaDemo). */
export const DEMO_CREDENTIALS: { [M in Medium]: Credentials & { medium: M } } = {
  wantedly: { medium: 'wantedly', apiKey: 'wk_demo_0000000000000000' },
  bizreach: { medium: 'bizreach', email: 'saiyo@demo.example.jp', password: 'demo-password' },
  green: { medium: 'green', companyId: 'C-100200', password: 'demo-password' },
  findy: { medium: 'findy', email: 'saiyo@demo.example.jp', password: 'demo-password' },
  paiza: { medium: 'paiza', userId: 'demo_recruiter', password: 'demo-password' },
  openwork: { medium: 'openwork', userId: 'demo_openwork', password: 'demo-password' },
};

/**
 * Seeds one demo account per medium with `count` applicants each (deterministic), applied in the
 * days before `now`. Returns the credentials to link.
 */
export function seedMediaDemo(m: MediaEmulators, opts: { count?: number; now?: Date; seed?: number } = {}): typeof DEMO_CREDENTIALS {
  const count = opts.count ?? 30;
  const stepMs = 47 * 60_000;
  const start = new Date((opts.now ?? new Date()).getTime() - count * stepMs).toISOString().replace(/:\d{2}\.\d{3}Z$/, ':00.000Z');
  const c = DEMO_CREDENTIALS;
  m.wantedly.addAccount({ apiKey: c.wantedly.apiKey, companyName: '株式会社デモ' });
  m.wantedly.generateEntries(c.wantedly.apiKey, { count, seed: opts.seed ?? 1, start, stepMs });
  const consoles = [
    ['bizreach', c.bizreach.email],
    ['green', c.green.companyId],
    ['findy', c.findy.email],
    ['paiza', c.paiza.userId],
    ['openwork', c.openwork.userId],
  ] as const;
  for (const [i, [medium, login]] of consoles.entries()) {
    m[medium].addAccount({ login, password: 'demo-password', companyName: '株式会社デモ' });
    m[medium].generateApplicants(login, { count, seed: (opts.seed ?? 1) + i + 1, start, stepMs, tieEvery: 7 });
  }
  return c;
}

// `npx tsx emulators/media.ts`: all six emulators with demo data, URLs printed as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const m = await startMediaEmulators();
  const creds = seedMediaDemo(m);
  console.log(JSON.stringify({ urls: m.urls, credentials: creds }, null, 2));
  const stop = () => void m.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
