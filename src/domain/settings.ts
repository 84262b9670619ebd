/** Organization settings (org admins): time zone, private cards, the retention setting, the org's language. */
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { OrgDoc } from '../storage/types';
import type { Locale } from '../vocabulary';
import { authorize } from './access';
import { audit } from './audit';
import { ValidationError } from './errors';
import { ensureOrg } from './orgs';
import { cleanLine } from '../text';
import { RETENTION_MAX_MONTHS } from './privacy';

/** The retention setting as typed: empty = off, else whole months 1–120 (full-width digits too). */
export function parseRetention(text: string): number | null | 'invalid' {
  const s = text.normalize('NFKC').trim();
  if (s === '' || s === '0') return null;
  if (!/^\d{1,3}$/.test(s)) return 'invalid';
  const n = Number(s);
  return n >= 1 && n <= RETENTION_MAX_MONTHS ? n : 'invalid';
}

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

/**
 * `retention`: the months as typed (absent: unchanged). `language`: what people see while the user
 * directory does not know their Slack language yet (absent: unchanged; an org that never chose is
 * Japanese).
 */
export async function saveSettings(
  deps: Deps,
  actor: Actor,
  input: { zone: string; privateCards: boolean; retention?: string; language?: Locale },
): Promise<OrgDoc> {
  await authorize(deps, actor, 'settings.manage');
  const typed = cleanLine(input.zone);
  const retention = input.retention === undefined ? undefined : parseRetention(input.retention);
  const errors: ConstructorParameters<typeof ValidationError>[0] = {};
  if (!isZone(typed)) errors.zone = { key: 'settings.badZone' };
  if (retention === 'invalid') errors.retention = { key: 'privacy.retentionInvalid', vars: { max: RETENTION_MAX_MONTHS } };
  if (Object.keys(errors).length) throw new ValidationError(errors);
  // the canonical name (asia/tokyo → Asia/Tokyo), as the modal shows it next time
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  await ensureOrg(deps, actor.teamId);
  const org = await deps.store.orgs.findOneAndUpdate(
    { _id: actor.teamId },
    {
      $set: {
        zone,
        'settings.privateCards': input.privateCards,
        ...(retention !== undefined && retention !== 'invalid' ? { 'settings.retentionMonths': retention } : {}),
        ...(input.language ? { 'settings.language': input.language } : {}),
      },
    },
    { returnDocument: 'after' },
  );
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'settings.manage',
    allowed: true,
    target: {
      zone,
      privateCards: input.privateCards,
      ...(retention !== undefined && retention !== 'invalid' ? { retentionMonths: retention } : {}),
      ...(input.language ? { language: input.language } : {}),
    },
  });
  return org!;
}
