/** Every Agenda job definition, and the start-up reconciliation of schedules. */
import type { Agenda } from 'agenda';
import type { Deps } from '../domain/deps';

export function registerJobs(_agenda: Agenda, _deps: Deps) {
  // filled by the accounts and imports features
}

export async function reconcileSchedules(_deps: Deps, _agenda: Agenda) {
  // filled by the imports feature
}
