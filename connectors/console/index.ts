/**
 * The five console connectors, one per CONSOLE_CONFIGS entry: every console medium runs the same
 * code (connector.ts, client.ts, parse.ts) with its own labels from config.ts. A console medium
 * whose code really differs would get a folder of its own instead.
 */
import type { MediaConnector } from '../types';
import { CONSOLE_CONFIGS, CONSOLE_MEDIA, type ConsoleMediumName } from './config';
import { createConsoleConnector } from './connector';

export const CONSOLE_CONNECTORS = Object.fromEntries(
  CONSOLE_MEDIA.map((medium) => [medium, createConsoleConnector(CONSOLE_CONFIGS[medium])]),
) as Record<ConsoleMediumName, MediaConnector>;

/** The connector of one console medium. */
export function consoleConnector(medium: ConsoleMediumName): MediaConnector {
  return CONSOLE_CONNECTORS[medium];
}

export { CONSOLE_CONFIGS, CONSOLE_MEDIA, type ConsoleConfig, type ConsoleMediumName } from './config';
