/**
 * Routing imported candidates to jobs (issue 7 owns the body). The import calls `routeImported`
 * after it has stored a run's candidates and postings; it must be idempotent (a re-run, a retry or
 * a crash-and-restart may call it again for the same candidates).
 */
import type { Medium } from '../../connectors/types';
import type { Deps } from './deps';

export async function routeImported(_deps: Deps, _teamId: string, _medium: Medium, _postingExternalIds: string[]): Promise<void> {
  // placeholder until the routing feature lands
}
