/** Bizreach employer-console emulator (the shared media-console app with bizreach's flavour). */
import { startConsoleEmulator, type ConsoleEmulator } from '../media-console/server';
import { FLAVORS } from '../media-console/flavors';

export type { ConsoleEmulator, ConsoleAccountInput, ConsoleApplicant, ApplicantSeed, GenerateOptions } from '../media-console/server';

export function startBizReachEmulator(opts: { port?: number } = {}): Promise<ConsoleEmulator> {
  return startConsoleEmulator(FLAVORS.bizreach, opts);
}
