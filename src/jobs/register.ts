/** Every Agenda job definition, and the start-up reconciliation of schedules. */
import type { Agenda } from 'agenda';
import type { Deps } from '../domain/deps';
import { defineAccountJobs } from './account-jobs';

export function registerJobs(agenda: Agenda, deps: Deps) {
  defineAccountJobs(agenda, deps);
}

export async function reconcileSchedules(_deps: Deps, _agenda: Agenda) {
  // filled by the imports feature
}
