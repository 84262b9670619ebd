/** The connector of a medium with its base URL and time limit from config. */
import type { MediaConnector, ConnectorContext } from '../../connectors/types';
import type { Medium } from '../vocabulary';
import { getConnector } from '../../connectors';
import type { Deps } from './deps';

const BASE_URL_VAR = {
  wantedly: 'WANTEDLY_API_URL',
  bizreach: 'BIZREACH_URL',
  green: 'GREEN_URL',
  findy: 'FINDY_URL',
  paiza: 'PAIZA_URL',
  openwork: 'OPENWORK_URL',
} as const satisfies Record<Medium, string>;

export function connectorFor(
  deps: Pick<Deps, 'config'>,
  medium: Medium,
  signal?: AbortSignal,
): { connector: MediaConnector; ctx: ConnectorContext } {
  return {
    connector: getConnector(medium),
    ctx: { baseUrl: deps.config[BASE_URL_VAR[medium]], timeoutMs: deps.config.CONNECTOR_TIMEOUT_MS, signal },
  };
}

/** The environment that points every medium at the given base URLs (sandbox, tests). */
export function mediaUrlEnv(urls: Record<Medium, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(BASE_URL_VAR).map(([m, v]) => [v, urls[m as Medium]]));
}
