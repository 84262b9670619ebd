/** Organization settings (org admins): time zone and private cards. */
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { OrgDoc } from '../storage/types';
import { authorize } from './access';
import { audit } from './audit';
import { ValidationError } from './errors';
import { ensureOrg } from './orgs';
import { cleanLine } from '../text';

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

export async function saveSettings(deps: Deps, actor: Actor, input: { zone: string; privateCards: boolean }): Promise<OrgDoc> {
  await authorize(deps, actor, 'settings.manage');
  const typed = cleanLine(input.zone);
  if (!isZone(typed)) throw new ValidationError({ zone: { key: 'settings.badZone' } });
  // the canonical name (asia/tokyo → Asia/Tokyo), as the modal shows it next time
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  await ensureOrg(deps, actor.teamId);
  const org = await deps.store.orgs.findOneAndUpdate(
    { _id: actor.teamId },
    { $set: { zone, 'settings.privateCards': input.privateCards } },
    { returnDocument: 'after' },
  );
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'settings.manage',
    allowed: true,
    target: { zone, privateCards: input.privateCards },
  });
  return org!;
}
