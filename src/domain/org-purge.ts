/**
 * After `app_uninstalled` (or the bot token revoked): the tokens are removed at once
 * (src/domain/installations.ts removeInstallation) and the org is marked uninstalled with a purge
 * date PURGE_GRACE_DAYS later. The daily privacy job (src/jobs/privacy-jobs.ts) then deletes every
 * document of the org; reinstalling before that cancels the purge (storeInstallation).
 */
import type { Deps } from './deps';
import type { Store } from '../storage/db';

/** The grace period between an uninstall and the purge of the org's data (README.md states it). */
export const PURGE_GRACE_DAYS = 30;
const DAY_MS = 24 * 3600_000;

/** Marks the org uninstalled (once: a repeated event keeps the first date). */
export async function markUninstalled(deps: Pick<Deps, 'store' | 'clock' | 'logger'>, teamId: string): Promise<void> {
  const now = deps.clock();
  const purgeAfter = new Date(now.getTime() + PURGE_GRACE_DAYS * DAY_MS);
  const res = await deps.store.orgs.updateOne(
    { _id: teamId, uninstalledAt: { $exists: false } },
    { $set: { uninstalledAt: now, purgeAfter } },
  );
  if (res.modifiedCount) deps.logger.info({ teamId, purgeAfter }, 'org uninstalled: its data is purged after the grace period');
}

/** A reinstall within the grace period: nothing is purged. */
export async function cancelPurge(deps: Pick<Deps, 'store' | 'logger'>, teamId: string): Promise<void> {
  const res = await deps.store.orgs.updateOne(
    { _id: teamId, uninstalledAt: { $exists: true } },
    { $unset: { uninstalledAt: '', purgeAfter: '' } },
  );
  if (res.modifiedCount) deps.logger.info({ teamId }, 'org reinstalled: purge cancelled');
}

/** The collections whose documents carry `teamId` (the org document goes last). */
const TEAM_COLLECTIONS = [
  'candidates',
  'cardDigests',
  'postings',
  'mappingRules',
  'jobs',
  'importRuns',
  'mediaAccounts',
  'members',
  'auditLog',
  'installations',
] as const satisfies readonly (keyof Store)[];

/**
 * Deletes the data of every org whose grace period is over (and that has not been reinstalled).
 * The org document is deleted last and only if still due, so a crash midway is finished by the
 * next run. Returns the purged team ids.
 */
export async function purgeDueOrgs(deps: Deps, now = deps.clock()): Promise<string[]> {
  const due = await deps.store.orgs.find({ purgeAfter: { $lte: now } }, { projection: { _id: 1 } }).toArray();
  const purged: string[] = [];
  for (const { _id: teamId } of due) {
    if (await deps.store.installations.countDocuments({ teamId }, { limit: 1 })) {
      await cancelPurge(deps, teamId); // reinstalled meanwhile
      continue;
    }
    const accounts = await deps.store.mediaAccounts.find({ teamId }, { projection: { _id: 1 } }).toArray();
    for (const a of accounts) await deps.accountJobs.removeAll(String(a._id));
    await deps.cardJobs.forget(teamId);
    const counts: Record<string, number> = {};
    for (const name of TEAM_COLLECTIONS) {
      counts[name] = (await (deps.store[name] as Store['jobs']).deleteMany({ teamId })).deletedCount;
    }
    await deps.store.deliveries.deleteMany({ _id: { $regex: `^${teamId.replace(/[^A-Za-z0-9]/g, '')}:` } });
    await deps.store.orgs.deleteOne({ _id: teamId, purgeAfter: { $lte: now } });
    deps.logger.info({ teamId, counts }, 'org data purged after the uninstall grace period');
    purged.push(teamId);
  }
  return purged;
}
