/** Starts all six job-media emulators (tests, sandbox, benches). */
import type { Medium } from '../../connectors/types';
import { startWantedlyEmulator, type WantedlyEmulator } from './wantedly/index';
import { startBizReachEmulator } from './bizreach/index';
import { startGreenEmulator } from './green/index';
import { startFindyEmulator } from './findy/index';
import { startPaizaEmulator } from './paiza/index';
import { startOpenWorkEmulator } from './openwork/index';
import type { ConsoleEmulator } from './media-console/server';

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

export async function startMediaEmulators(ports: Partial<Record<Medium, number>> = {}): Promise<MediaEmulators> {
  const [wantedly, bizreach, green, findy, paiza, openwork] = await Promise.all([
    startWantedlyEmulator({ port: ports.wantedly }),
    startBizReachEmulator({ port: ports.bizreach }),
    startGreenEmulator({ port: ports.green }),
    startFindyEmulator({ port: ports.findy }),
    startPaizaEmulator({ port: ports.paiza }),
    startOpenWorkEmulator({ port: ports.openwork }),
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
