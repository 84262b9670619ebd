/** Every Agenda job definition, and the start-up reconciliation of schedules. */
import type { Agenda } from 'agenda';
import type { Deps } from '../domain/deps';
import type { CardDelivery } from '../notifier/cards/deliver';
import { defineAccountJobs, reconcileAccountJobs } from './account-jobs';
import { defineCardJobs, scheduleCardSweep } from './card-jobs';
import { definePrivacyJobs, schedulePrivacyJob } from './privacy-jobs';

/** `cards`: what the card job runs (the notifier's card delivery, built in src/server.ts). */
export function registerJobs(agenda: Agenda, deps: Deps, cards: CardDelivery) {
  defineAccountJobs(agenda, deps);
  defineCardJobs(agenda, deps, cards);
  definePrivacyJobs(agenda, deps);
}

export async function reconcileSchedules(deps: Deps, agenda: Agenda) {
  const { created } = await reconcileAccountJobs(deps, agenda);
  if (created) deps.logger.info({ created }, 'restored missing account schedules');
  await scheduleCardSweep(agenda);
  await schedulePrivacyJob(agenda);
}
