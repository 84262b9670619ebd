/** Organization settings (org admins): time zone, private cards, the org's language. */
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { OrgDoc } from '../storage/types';
import type { Locale } from '../vocabulary';
import { authorize } from './access';
import { audit } from './audit';
import { ValidationError } from './errors';
import { ensureOrg } from './orgs';

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

/**
 * `language`: what people see while the user directory does not know their Slack language yet
 * (absent: unchanged; an org that never chose is Japanese).
 */
export async function saveSettings(
  deps: Deps,
  actor: Actor,
  input: { zone: string; privateCards: boolean; language?: Locale },
): Promise<OrgDoc> {
  await authorize(deps, actor, 'settings.manage');
  const typed = input.zone.trim();
  if (!isZone(typed)) throw new ValidationError({ zone: { key: 'settings.badZone' } });
  // the canonical name (asia/tokyo → Asia/Tokyo), as the modal shows it next time
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  await ensureOrg(deps, actor.teamId);
  const org = await deps.store.orgs.findOneAndUpdate(
    { _id: actor.teamId },
    { $set: { zone, 'settings.privateCards': input.privateCards, ...(input.language ? { 'settings.language': input.language } : {}) } },
    { returnDocument: 'after' },
  );
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'settings.manage',
    allowed: true,
    target: { zone, privateCards: input.privateCards, ...(input.language ? { language: input.language } : {}) },
  });
  return org!;
}
