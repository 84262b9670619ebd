/** Connector registry: one MediaConnector per medium. */
import type { MediaConnector } from './types';
import type { Medium } from '../src/vocabulary';
import { wantedlyConnector } from './wantedly/index';
import { CONSOLE_CONNECTORS } from './console/index';

export const CONNECTORS: Record<Medium, MediaConnector> = {
  wantedly: wantedlyConnector,
  ...CONSOLE_CONNECTORS,
};

export function getConnector(medium: Medium): MediaConnector {
  const c = CONNECTORS[medium];
  if (!c) throw new Error(`unknown medium: ${String(medium)}`);
  return c;
}
