/** Registers every listener, grouped by surface: the /ats command, actions, views, events. */
import type { App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { dedupeMiddleware } from './dedupe';
import { registerAts } from './ats';
import { registerRoles } from './roles';
import { registerHome } from './home';
import { registerLifecycle } from './lifecycle';
import { registerAccounts } from './accounts';
import { registerJobs } from './jobs';
import { registerMapping } from './mapping';
import { registerCandidates } from './candidates';
import { registerSettings } from './settings';

export function registerAll(app: App, deps: Deps, forget: (teamId: string) => void) {
  app.use(dedupeMiddleware(deps));
  registerAts(app, deps);
  registerRoles(app, deps);
  registerHome(app, deps);
  registerAccounts(app, deps);
  registerJobs(app, deps);
  registerMapping(app, deps);
  registerCandidates(app, deps);
  registerSettings(app, deps);
  registerLifecycle(app, deps, forget);
  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled Bolt error');
  });
}
