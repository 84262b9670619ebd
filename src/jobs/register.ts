/** Every Agenda job definition, and the start-up reconciliation of schedules. */
import type { Agenda } from 'agenda';
import type { Deps } from '../domain/deps';
import { defineAccountJobs, reconcileAccountJobs } from './account-jobs';
import { defineCardJobs, scheduleCardSweep } from './card-jobs';

export function registerJobs(agenda: Agenda, deps: Deps) {
  defineAccountJobs(agenda, deps);
  defineCardJobs(agenda, deps);
}

export async function reconcileSchedules(deps: Deps, agenda: Agenda) {
  const { created } = await reconcileAccountJobs(deps, agenda);
  if (created) deps.logger.info({ created }, 'restored missing account schedules');
  await scheduleCardSweep(agenda);
}
