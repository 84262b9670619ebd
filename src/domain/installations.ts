/**
 * Bolt's InstallationStore on MongoDB. The whole installation (tokens included) is one AES-256-GCM
 * value bound to its id; only ids needed for lookups are stored in clear. The installer becomes the
 * org's first admin. `removeInstallation` serves app_uninstalled and tokens_revoked.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Deps } from './deps';
import { ensureOrg } from './orgs';
import { setOrgRoleUnchecked } from './members';

const aad = (id: string) => `installation:${id}`;

function keyOf(q: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return q.enterpriseId;
  if (!q.teamId) throw new Error('installation query without team id');
  return q.teamId;
}

export function mongoInstallationStore(deps: Deps, onInstalled?: (teamId: string, userId: string) => Promise<void>): InstallationStore {
  return {
    async storeInstallation(installation: Installation) {
      const id = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      const teamId = installation.team?.id ?? id;
      const now = deps.clock();
      await deps.store.installations.updateOne(
        { _id: id },
        {
          $set: {
            teamId,
            enterpriseId: installation.enterprise?.id,
            botUserId: installation.bot?.userId,
            installedBy: installation.user.id,
            encrypted: deps.keyring.encryptJson(installation, aad(id)),
            updatedAt: now,
          },
          $setOnInsert: { installedAt: now },
        },
        { upsert: true },
      );
      await ensureOrg(deps, teamId);
      const admins = await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' }, { limit: 1 });
      if (!admins) {
        await setOrgRoleUnchecked(deps, teamId, installation.user.id, 'org_admin', 'installer');
        await onInstalled?.(teamId, installation.user.id);
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const id = keyOf(query);
      const doc = await deps.store.installations.findOne({ _id: id });
      if (!doc) throw new Error(`no installation for ${id}`);
      return deps.keyring.decryptJson<Installation>(doc.encrypted, aad(id));
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await deps.store.installations.deleteOne({ _id: keyOf(query) });
    },
  };
}

/** app_uninstalled, or the bot token revoked: forget the tokens (the org's data stays until deleted on request). */
export async function removeInstallation(deps: Deps, teamId: string): Promise<void> {
  await deps.store.installations.deleteMany({ $or: [{ _id: teamId }, { teamId }] });
  deps.logger.info({ teamId }, 'installation removed');
}

/** tokens_revoked with only user tokens: drop the user token from the stored installation. */
export async function removeUserTokens(deps: Deps, teamId: string, userIds: string[]): Promise<void> {
  const doc = await deps.store.installations.findOne({ _id: teamId });
  if (!doc) return;
  const inst = deps.keyring.decryptJson<Installation>(doc.encrypted, aad(teamId));
  if (!userIds.includes(inst.user.id)) return;
  inst.user = { id: inst.user.id, token: undefined, scopes: undefined };
  await deps.store.installations.updateOne({ _id: teamId }, { $set: { encrypted: deps.keyring.encryptJson(inst, aad(teamId)), updatedAt: deps.clock() } });
}
