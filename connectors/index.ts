/** Connector registry: one MediaConnector per medium. */
import type { MediaConnector } from './types';
import type { Medium } from '../src/vocabulary';
import { wantedlyConnector } from './wantedly/index';
import { bizReachConnector } from './bizreach/index';
import { greenConnector } from './green/index';
import { findyConnector } from './findy/index';
import { paizaConnector } from './paiza/index';
import { openWorkConnector } from './openwork/index';

export const CONNECTORS: Record<Medium, MediaConnector> = {
  wantedly: wantedlyConnector,
  bizreach: bizReachConnector,
  green: greenConnector,
  findy: findyConnector,
  paiza: paizaConnector,
  openwork: openWorkConnector,
};

export function getConnector(medium: Medium): MediaConnector {
  const c = CONNECTORS[medium];
  if (!c) throw new Error(`unknown medium: ${String(medium)}`);
  return c;
}
