/** Registers every listener, grouped by surface: the /ats command, actions, views, events. */
import type { App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { dedupeMiddleware } from './dedupe';
import { fanIn } from './fan-in';
import { registerAts } from './ats';
import { registerRoles } from './roles';
import { registerHome } from './home';
import { registerLifecycle } from './lifecycle';
import { registerAccounts } from './accounts';
import { registerJobs } from './jobs';
import { registerMapping } from './mapping';
import { registerCandidates } from './candidates';
import { registerSettings } from './settings';

export function registerAll(bolt: App, deps: Deps, forget: (teamId: string) => void) {
  bolt.use(dedupeMiddleware(deps));
  // the handlers below are dispatched by one global middleware after the dedupe (commands/fan-in.ts:
  // Bolt runs every listener's chain for every request otherwise)
  const fan = fanIn(bolt);
  const app = fan.app;
  registerAts(app, deps);
  registerRoles(app, deps);
  registerHome(app, deps);
  registerAccounts(app, deps);
  registerJobs(app, deps);
  registerMapping(app, deps);
  registerCandidates(app, deps);
  registerSettings(app, deps);
  registerLifecycle(app, deps, forget);
  fan.install();
  bolt.error(async (err) => {
    deps.logger.error({ err }, 'unhandled Bolt error');
  });
}
