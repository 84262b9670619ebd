/**
 * The five employer-console emulators are one web app (server.ts) with a flavour per medium
 * (flavors.ts: labels, columns, wording), as the connectors are one implementation with a config
 * entry per medium.
 */
import { startConsoleEmulator, type ConsoleEmulator, type ConsoleMedium } from './server';
import { FLAVORS } from './flavors';
import type { ChaosOptions } from '../chaos';

export type { ConsoleEmulator, ConsoleMedium, ConsoleAccountInput, ConsoleApplicant, ApplicantSeed, GenerateOptions } from './server';

export function startMediumConsole(medium: ConsoleMedium, opts: { port?: number; chaos?: ChaosOptions } = {}): Promise<ConsoleEmulator> {
  return startConsoleEmulator(FLAVORS[medium], opts);
}
