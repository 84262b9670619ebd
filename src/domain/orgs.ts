/** An org = one Slack workspace: its time zone and settings. Created on install or first use. */
import type { Deps } from './deps';
import type { OrgDoc } from '../storage/types';

export async function ensureOrg(deps: Pick<Deps, 'store' | 'config' | 'clock'>, teamId: string): Promise<OrgDoc> {
  const doc = await deps.store.orgs.findOneAndUpdate(
    { _id: teamId },
    {
      $setOnInsert: {
        teamId,
        zone: deps.config.DEFAULT_TIMEZONE,
        settings: { privateCards: false },
        createdAt: deps.clock(),
      },
    },
    { upsert: true, returnDocument: 'after' },
  );
  return doc!;
}

export async function getOrg(deps: Pick<Deps, 'store' | 'config' | 'clock'>, teamId: string): Promise<OrgDoc> {
  return (await deps.store.orgs.findOne({ _id: teamId })) ?? ensureOrg(deps, teamId);
}
